"""What the training page shows about a model: confusion matrix, confused pairs, class samples."""

import torch
from torch import nn

from explorer.data import CLASS_NAMES, FashionMNISTData
from explorer.mlp.diagnostics import class_samples, confusion_matrix, most_confused


class FixedGuess(nn.Module):
    """Predicts a given class per example, whatever the image."""

    def __init__(self, guesses):
        super().__init__()
        self.guesses = guesses

    def forward(self, X):
        return nn.functional.one_hot(self.guesses[: len(X)], 10).float()


def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    labels = torch.tensor([0, 0, 1, 6, 6, 6])
    guesses = torch.tensor([0, 6, 1, 0, 0, 6])
    matrix = confusion_matrix(FixedGuess(guesses), torch.zeros(6, 1, 28, 28), labels)
    expected = torch.zeros(10, 10, dtype=torch.long)
    for t, p in zip(labels.tolist(), guesses.tolist()):
        expected[t, p] += 1
    assert torch.equal(matrix, expected) and matrix.sum() == 6


def test_most_confused_lists_off_diagonal_cells_largest_first():
    matrix = torch.diag(torch.full((10,), 50))
    matrix[6, 0], matrix[2, 4], matrix[0, 6] = 30, 12, 5  # shirt→T-shirt, pullover→coat, T-shirt→shirt
    table = most_confused(matrix, CLASS_NAMES, k=5)
    assert list(table["true"]) == ["Shirt", "Pullover", "T-shirt/top"]
    assert list(table["predicted as"]) == ["T-shirt/top", "Coat", "Shirt"]
    assert table["count"].tolist() == [30, 12, 5]
    assert abs(table["share of true class"][0] - 30 / 80) < 1e-12


def test_class_samples_takes_the_first_images_of_each_class():
    labels = torch.arange(40) % 10
    images = torch.arange(40, dtype=torch.float32).reshape(40, 1, 1, 1).expand(40, 1, 28, 28)
    data = FashionMNISTData(images, labels, images[:0], labels[:0])
    samples = class_samples(data, per_class=3)
    assert samples.shape == (10, 3, 28, 28)
    assert samples[:, :, 0, 0].tolist() == [[c, c + 10, c + 20] for c in range(10)]
    assert class_samples(data, per_class=8).shape == (10, 4, 28, 28)  # only 4 of each exist
