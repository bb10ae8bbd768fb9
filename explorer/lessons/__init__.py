"""Each lesson's computations, one module per idea: activation experiments, the inside trace, backpropagation,
polynomial fitting (selection, bias-variance, double descent), weight decay (sweeps, L1 geometry), dropout
as an ensemble, the two-dimensional playground (its data in playground_data) and the universal approximator."""
