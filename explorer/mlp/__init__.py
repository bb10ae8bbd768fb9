"""The multilayer perceptron itself: activations, models, optimizers, the resumable training loop, evaluation,
number formats, a session's runs and the cached quick models."""
