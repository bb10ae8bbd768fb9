"""Under CI=true a skipped browser/slow/postgres/replicas test fails the run, with its reason."""

from pathlib import Path


pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
SKIPPING_TESTS = '''
import pytest

@pytest.mark.browser
def test_needs_chromium():
    pytest.skip("Debian's Chromium is not at /usr/bin/chromium")

@pytest.mark.postgres
@pytest.mark.skipif(True, reason="no PostgreSQL server")
def test_needs_postgres():
    pass

def test_unmarked_may_skip():
    pytest.skip("nothing required is missing")

@pytest.mark.slow
@pytest.mark.xfail(reason="known gap")
def test_expected_failure():
    assert False
'''


def _run(pytester, monkeypatch, ci: str | None):
    pytester.makeconftest((ROOT / "tests" / "conftest.py").read_text())
    pytester.makepyfile(test_skips=SKIPPING_TESTS)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rs", "-W",
                                         "ignore::pytest.PytestUnknownMarkWarning")


def test_ci_turns_skips_of_required_components_into_failures(pytester, monkeypatch):
    result = _run(pytester, monkeypatch, "true")
    # A skip in the call fails the test; a skipif (setup) becomes an error: either fails the run.
    result.assert_outcomes(failed=1, errors=1, skipped=1, xfailed=1)
    assert result.ret == 1
    out = result.stdout.str()
    assert "this browser test must run, but it was skipped: Debian's Chromium is not at /usr/bin/chromium" in out
    assert "this postgres test must run, but it was skipped: no PostgreSQL server" in out


def test_without_ci_the_same_tests_just_skip(pytester, monkeypatch):
    _run(pytester, monkeypatch, None).assert_outcomes(skipped=3, xfailed=1)


def test_ci_fails_a_module_skipped_at_collection(pytester, monkeypatch):
    pytester.makepyfile(test_module_skip='import pytest\npytest.importorskip("no_such_module_xyz")\n')
    result = _run(pytester, monkeypatch, "true")
    assert result.ret != 0
    assert "must be collected, but it was skipped" in result.stdout.str()


def test_ci_may_say_1_or_yes_in_any_case(pytester, monkeypatch):
    for value in ("1", "YES", "True"):
        result = _run(pytester, monkeypatch, value)
        result.assert_outcomes(failed=1, errors=1, skipped=1, xfailed=1)


def test_an_unmarked_test_that_needs_the_dataset_fails_under_ci_when_it_is_missing(pytester, monkeypatch, tmp_path):
    pytester.makepyfile(test_needs_data="def test_uses_fashion(fashion):\n    assert fashion\n")
    for key, value in {"EXPLORER_DATA_DIR": tmp_path / "empty", "EXPLORER_SYSTEM_DATA_DIR": tmp_path / "none",
                       "EXPLORER_NO_DOWNLOAD": "1"}.items():
        monkeypatch.setenv(key, str(value))
    result = _run(pytester, monkeypatch, "true")
    assert result.ret == 1 and "Fashion-MNIST not installed" in result.stdout.str()
    result = _run(pytester, monkeypatch, None)
    assert result.ret == 0 and "Fashion-MNIST not installed" in result.stdout.str()  # a skip that says why
