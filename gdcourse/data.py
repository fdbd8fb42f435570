"""Data sets: the posts' synthetic data, a sparse text-like set, bundled scikit-learn sets, splitting, scaling, MNIST.

Nothing here downloads at import or in the course notebooks: the synthetic sets are
generated from a seed and scikit-learn ships diabetes, breast cancer and 8x8 digits.
``load_mnist`` is the one loader that downloads, for learners who are online.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import os
import sys
import tempfile
import urllib.request
from pathlib import Path

import numpy as np

from gdcourse.losses import sigmoid
from gdcourse.validation import check_array, check_count, check_number, check_X_y

__all__ = [
    "Standardizer",
    "blobs",
    "linear_data",
    "load_breast_cancer",
    "load_diabetes",
    "load_digits",
    "load_mnist",
    "moons",
    "paraboloid_data",
    "train_test_split",
    "zipf_bag_of_words",
]


def linear_data(n_samples: int = 100, w=(2.0, 3.0), b: float = 1.0, noise: float = 0.0, seed: int = 0):
    """Post 1's data: ``X ~ U(0, 1)^(n x d)`` and ``y = X @ w + b`` (+ Gaussian noise if asked).

    With the defaults this is exactly ``np.random.seed(0); X = np.random.rand(100, 2)``.
    Returns ``(X, y)`` of shapes (n, d) and (n,).
    """
    w = np.asarray(w, dtype=np.float64)
    rng = np.random.RandomState(seed)  # the legacy generator behind np.random.rand, as in the post
    X = rng.rand(check_count("n_samples", n_samples), len(w))
    y = X @ w + b
    if noise:
        y = y + noise * rng.randn(len(y))
    return X, y


def paraboloid_data(n_samples: int = 1000, noise: float = 1.0, seed: int = 0):
    """Post 3's data: ``(x, y) ~ U(0, 1)^2`` and ``z = x^2 + y^2 + noise * N(0, 1)``.

    Returns ``(X, z)`` of shapes (n, 2) and (n,). With ``noise = 1`` the noise variance (1)
    dwarfs the variance of the signal (about 0.18): no model can explain most of ``z``.
    """
    rng = np.random.default_rng(seed)
    X = rng.random((check_count("n_samples", n_samples), 2))
    z = (X**2).sum(axis=1) + noise * rng.standard_normal(len(X))
    return X, z


def blobs(n_samples: int = 200, distance: float = 2.5, seed: int = 0):
    """Two Gaussian clouds in 2-D (classes 0 and 1) whose centres are ``distance`` apart.

    Returns ``(X, y)`` with X of shape (n, 2) and integer labels y of shape (n,).
    """
    rng = np.random.default_rng(seed)
    y = np.arange(check_count("n_samples", n_samples)) % 2
    centres = np.array([[-1.0, -0.5], [1.0, 0.5]]) * distance / np.sqrt(5)
    X = centres[y] + rng.standard_normal((len(y), 2))
    order = rng.permutation(len(y))
    return X[order], y[order]


def moons(n_samples: int = 200, noise: float = 0.15, seed: int = 0):
    """Two interleaving half circles (classes 0 and 1): no straight line separates them."""
    rng = np.random.default_rng(seed)
    y = np.arange(check_count("n_samples", n_samples)) % 2
    angle = rng.uniform(0, np.pi, len(y))
    upper = np.stack([np.cos(angle), np.sin(angle)], axis=1)  # (n, 2)
    lower = np.stack([1 - np.cos(angle), 0.5 - np.sin(angle)], axis=1)
    X = np.where(y[:, None] == 0, upper, lower)
    return X + noise * rng.standard_normal(X.shape), y


def zipf_bag_of_words(
    n_samples: int = 2000,
    n_words: int = 200,
    words_per_doc: int = 15,
    exponent: float = 1.0,
    n_frequent: int = 20,
    weight: float = 2.0,
    seed: int = 0,
):
    r"""Documents as sparse bag-of-words vectors with Zipf-distributed word frequencies; only rare words carry signal.

    The vocabulary's words are ranked $k = 1, \dots, K$ (``n_words``) and drawn with probability
    $p_k \propto k^{-s}$ (Zipf's law, $s$ = ``exponent``), as words are in real text. Each document
    draws ``words_per_doc`` words independently, and ``X[i, k] = 1`` if word $k$ occurs in document
    $i$ (0 otherwise): most entries are 0, the first columns are 1 in most documents, the last in
    about one document in a hundred (with the defaults).

    The ``n_frequent`` most frequent words (like "the" and "of") carry no information. Every other
    word $k$ gets a weight $\pm$``weight`` (random sign), and the label of document $i$ is drawn as
    $y_i \sim \mathrm{Bernoulli}(\sigma(x_i^\top w^\ast))$: a logistic-regression model whose
    informative features are rare.

    Returns ``(X, y, w_true)``: X of shape (n, K) with 0/1 floats, integer labels y of shape (n,),
    and the true weights of shape (K,) (zero for the frequent words), seeded by ``seed``.
    """
    n_samples = check_count("n_samples", n_samples)
    n_words = check_count("n_words", n_words, low=2)
    words_per_doc = check_count("words_per_doc", words_per_doc)
    exponent = check_number("exponent", exponent)
    n_frequent = check_count(
        "n_frequent", n_frequent, low=0, high=n_words - 1, hint="At least one word must carry signal."
    )
    weight = check_number("weight", weight, low_open=True)
    rng = np.random.default_rng(seed)
    p = np.arange(1, n_words + 1.0) ** -exponent
    p /= p.sum()  # Zipf's law: the k-th most frequent word has probability proportional to k^-s
    words = rng.choice(n_words, size=(n_samples, words_per_doc), p=p)  # (n, words_per_doc) word indices
    X = np.zeros((n_samples, n_words))
    X[np.arange(n_samples)[:, None], words] = 1.0  # presence: a word that occurs twice still counts once
    w_true = np.zeros(n_words)
    w_true[n_frequent:] = weight * rng.choice([-1.0, 1.0], n_words - n_frequent)
    y = (rng.random(n_samples) < sigmoid(X @ w_true)).astype(np.int64)
    return X, y, w_true


def _bundled_file(name: str) -> Path:
    """The path of a data file that scikit-learn ships in ``sklearn/datasets/data/``.

    Reading the file directly, instead of through ``sklearn.datasets``, spares a notebook the
    import of scikit-learn and SciPy (about 85 MB of memory) for a few hundred kilobytes of data.
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("scikit-learn is not installed; run `make setup` (or pip install scikit-learn).")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / name
    if not path.exists():
        raise FileNotFoundError(f"{name} is missing from {path.parent}; reinstall scikit-learn (make setup).")
    return path


def load_diabetes():
    """scikit-learn's bundled diabetes data (442 patients, 10 features, a disease-progression score).

    The features come *unscaled*, as measured (scikit-learn's ``load_diabetes(scaled=False)``),
    so their ranges differ a lot. Returns ``(X, y)`` of shapes (442, 10) and (442,).
    """
    X = np.loadtxt(_bundled_file("diabetes_data_raw.csv.gz"))
    y = np.loadtxt(_bundled_file("diabetes_target.csv.gz"))
    return X, y


def load_breast_cancer():
    """scikit-learn's bundled breast-cancer data (569 tumours, 30 features; label 1 = benign, 0 = malignant)."""
    table = np.loadtxt(_bundled_file("breast_cancer.csv"), delimiter=",", skiprows=1)  # header: counts and names
    return table[:, :-1], table[:, -1].astype(np.int64)


def load_digits():
    """scikit-learn's bundled 8x8 digits (1,797 images as 64 pixels in 0..16, labels 0..9)."""
    table = np.loadtxt(_bundled_file("digits.csv.gz"), delimiter=",")
    return table[:, :-1], table[:, -1].astype(np.int64)


def train_test_split(X, y, test_size: float = 0.2, seed: int = 0):
    """Shuffle with ``seed`` and split: returns ``X_train, X_test, y_train, y_test``."""
    check_X_y(X, y)
    X, y = np.asarray(X), np.asarray(y)  # keep the dtypes: integer labels stay integers
    test_size = check_number("test_size", test_size, high=1.0, low_open=True, high_open=True)
    order = np.random.default_rng(seed).permutation(len(X))
    n_test = max(1, int(round(test_size * len(X))))
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


class Standardizer:
    """Scale features to mean 0 and standard deviation 1, with statistics from the training set only.

    >>> scaler = Standardizer().fit(X_train)
    >>> X_train_s, X_test_s = scaler.transform(X_train), scaler.transform(X_test)

    Constant features (standard deviation 0) are left centred but unscaled.
    """

    def fit(self, X) -> Standardizer:
        """Learn each feature's mean and standard deviation from ``X``."""
        X = check_array("X", X, ndim=2)
        self.mean = X.mean(axis=0)
        self.std = X.std(axis=0)
        self.std[self.std == 0] = 1.0
        return self

    def transform(self, X) -> np.ndarray:
        """``(X - mean) / std`` with the statistics learned by ``fit``."""
        if not hasattr(self, "mean"):
            raise RuntimeError("Call fit(X_train) before transform.")
        X = check_array("X", X, ndim=2)
        if X.shape[1] != len(self.mean):
            raise ValueError(f"X has {X.shape[1]} features; the standardizer was fitted on {len(self.mean)}.")
        return (X - self.mean) / self.std

    def fit_transform(self, X) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def __repr__(self) -> str:
        fitted = f"fitted on {len(self.mean)} features" if hasattr(self, "mean") else "not fitted"
        return f"Standardizer({fitted})"


MNIST_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"
MNIST_FILES = {  # file name -> SHA-256 of the gzipped file
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}


def _sha256(path: Path) -> str:
    """The SHA-256 hex digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _download(url: str, path: Path, expected_sha256: str) -> Path:
    """Download ``url`` to ``path`` unless a verified copy is there already.

    The bytes go to a temporary file in the same folder, are checked against
    ``expected_sha256``, and only then renamed into place (an atomic step): an interrupted
    or corrupted download never leaves a file at ``path``.
    """
    path = Path(path)
    if path.exists() and _sha256(path) == expected_sha256:
        return path
    if sys.platform == "emscripten":  # Pyodide: no sockets, so urllib cannot download
        raise OSError(
            f"Could not download {url}: the browser version of the course (JupyterLite) cannot download "
            f"files from Python. Run this notebook on Binder, in Colab or on your computer, or upload "
            f"{path.name} into the folder {path.parent} (File Browser, Upload) and run the cell again."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part")
    try:
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
                while chunk := response.read(1 << 20):
                    out.write(chunk)
        except OSError as error:  # URLError, timeouts, refused connections
            raise OSError(
                f"Could not download {url} ({error}). Are you online? Try again later, pass another "
                f"mirror with url=..., or put the file {path.name} in {path.parent} yourself."
            ) from None
        found = _sha256(Path(tmp))
        if found != expected_sha256:
            raise OSError(
                f"Checksum mismatch for {url}: expected SHA-256 {expected_sha256}, got {found}. "
                "The file was discarded; try again later or from another mirror (url=...)."
            )
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def _read_idx(path: Path) -> np.ndarray:
    """Read a gzipped IDX file (MNIST's format: a magic number, the shape, then raw bytes)."""
    try:
        with gzip.open(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as error:  # not gzip at all, or the stream is cut short
        raise ValueError(f"{path} is not a complete gzip file ({error}); delete it and download again.") from None
    if len(data) >= 3 and data[:3] != b"\x00\x00\x08":  # magic number: 0, 0, type 8 (unsigned byte)
        raise ValueError(f"{path} is not an IDX file of unsigned bytes.")
    ndim = data[3] if len(data) >= 4 else 0
    if len(data) < 4 + 4 * ndim:  # magic number, then one 4-byte size per dimension
        raise ValueError(f"{path} is truncated: its header is incomplete ({len(data)} bytes).")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    array = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if array.size != int(np.prod(shape)):
        raise ValueError(f"{path} is truncated: expected {int(np.prod(shape))} values, found {array.size}.")
    return array.reshape(shape)


def load_mnist(
    cache_dir: str | Path | None = None,
    num_train: int | None = 10_000,
    num_test: int | None = 2_000,
    url: str = MNIST_URL,
    files: dict[str, str] = MNIST_FILES,
):
    """MNIST's 28x28 digits, downloaded once (checksummed, cached) and read with NumPy only.

    Returns ``X_train, X_test, y_train, y_test`` with X of shape (n, 784) scaled to [0, 1] and
    integer labels. ``num_train``/``num_test`` keep the first images (``None``: all 60,000 and
    10,000; all of them as float64 take 440 MB). The cache is ``cache_dir``, else
    ``$GDCOURSE_DATA``, else ``~/.cache/gdcourse``. Downloaded data are never unpickled.
    """
    num_train = None if num_train is None else check_count("num_train", num_train)
    num_test = None if num_test is None else check_count("num_test", num_test)
    folder = Path(cache_dir or os.environ.get("GDCOURSE_DATA") or Path.home() / ".cache" / "gdcourse") / "mnist"
    names = list(files)
    paths = [_download(url + name, folder / name, files[name]) for name in names]
    arrays = {name: _read_idx(path) for name, path in zip(names, paths, strict=True)}
    train_images, train_labels, test_images, test_labels = (arrays[name] for name in names)
    if len(train_images) != len(train_labels) or len(test_images) != len(test_labels):
        raise ValueError("MNIST images and labels have different lengths; delete the cache folder and retry.")
    train, test = slice(num_train), slice(num_test)
    X_train = train_images[train].reshape(len(train_images[train]), -1) / 255.0  # (n, 784)
    X_test = test_images[test].reshape(len(test_images[test]), -1) / 255.0
    return X_train, X_test, train_labels[train].astype(np.int64), test_labels[test].astype(np.int64)
