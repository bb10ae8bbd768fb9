"""A fair share of one server's cores for everyone training on it: a work budget per run, thread shares
between concurrent trainings, and turns at the training slots."""
