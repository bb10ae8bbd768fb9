"""The multilayer perceptron itself: activations, models, optimizers, a run's config, the resumable training
loop, evaluation, number formats, a session's runs and the cached quick models."""
