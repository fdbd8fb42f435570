"""Fixtures shared by the test suite."""

import pytest


@pytest.fixture
def torch64():
    """``torch`` with float64 as the default dtype (restored afterwards); skips without torch.

    float64 matters beyond the tensors: torch keeps each optimizer's step counter in the
    default dtype, so under float32 its bias corrections would differ from ours at ~1e-7.
    """
    torch = pytest.importorskip("torch")
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch
    torch.set_default_dtype(previous)
