"""Class codes, nicknames, the presenter key and the rate limits (#21): a room of strangers cannot guess
their way into a class, flood its board, or try presenter keys quickly."""

import math

import pytest

from explorer.classroom import access


def test_new_codes_carry_30_random_bits_of_unambiguous_characters():
    codes = {access.new_code() for _ in range(2000)}
    assert len(codes) == 2000  # no repeats among 2,000 of 2^30
    bodies = [c.removeprefix("MLP-") for c in codes]
    assert all(len(b) == access.CODE_CHARS and set(b) <= set(access.ALPHABET) for b in bodies)
    assert access.CODE_CHARS * math.log2(len(access.ALPHABET)) >= 30
    assert not set("ILOU") & set("".join(bodies))  # nothing to misread
    assert all(access.normalize_code(c) == c for c in list(codes)[:50])


@pytest.mark.parametrize("typed, code", [
    ("mlp-7kq2xm", "MLP-7KQ2XM"), ("MLP 7KQ 2XM", "MLP-7KQ2XM"), ("7KQ2XM", "MLP-7KQ2XM"),
    ("ＭＬＰ－７ＫＱ２ＸＭ", "MLP-7KQ2XM"), ("ＭＬＰ－４０８３", "MLP-4083"),  # a Chinese input method's full width
    ("mlp-7kq2xo", "MLP-7KQ2X0"), ("MLP-1L1I00", "MLP-111100"),  # read as Crockford does: O is 0, I and L are 1
    ("4821", "MLP-4821"),  # a class started before codes had letters
])
def test_codes_are_found_however_they_are_typed(typed, code):
    assert access.normalize_code(typed) == code


@pytest.mark.parametrize("typed", ["MLP-12345", "MLP-7KQ2X", "MLP-7KQ2XMM", "MLP-12A4", "MLP-7KQ2XU", "<b>", ""])
def test_other_shapes_are_not_codes(typed):
    with pytest.raises(access.BadClassCode, match="codes look like MLP-7KQ2XM"):
        access.normalize_code(typed)


def test_nicknames_are_nfkc_normalised():
    assert access.clean_nickname("Ａｄａ　Ｌｏｖｅｌａｃｅ") == "Ada Lovelace"  # full-width letters and space
    assert access.clean_nickname("李  小龙") == "李 小龙"


def test_a_short_presenter_key_is_refused_as_configured():
    short = "eleven-char"
    problem = access.presenter_key_problem(short)
    assert problem is not None and "too short (11 characters)" in str(problem) and "at least 12" in str(problem)
    assert not access.presenter_key_ok(short, short)  # even the right guess of a short key unlocks nothing
    assert access.presenter_key_problem("twelve-chars") is None and access.presenter_key_problem(None) is None
    assert access.presenter_key_ok("twelve-chars", "twelve-chars")


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_rate_limiter_counts_per_key_in_a_sliding_window():
    clock = Clock()
    limiter = access.RateLimiter(3, window=60, clock=clock)
    for _ in range(3):
        limiter.check("client:1.2.3.4", "session:a")
    with pytest.raises(access.TooManyAttempts, match="try again in 60 s") as refused:
        limiter.check("client:1.2.3.4", "session:b")  # a new session (a reload) from the same address
    assert refused.value.retry_after == pytest.approx(60)
    limiter.check("client:5.6.7.8", "session:c")  # another address is not held back
    clock.now += 30
    assert limiter.wait("client:1.2.3.4") == pytest.approx(30)
    clock.now += 30.001
    limiter.check("client:1.2.3.4")  # the window has slid past the first events
    assert len(limiter._events) <= 4  # idle keys are forgotten


def test_backoff_doubles_the_wait_after_each_failure_and_forgets_on_success():
    clock = Clock()
    backoff = access.Backoff(base=1, cap=8, clock=clock)
    waits = []
    for _ in range(5):
        backoff.failed("session:a")
        waits.append(backoff.wait("session:a"))
        clock.now += waits[-1]
    assert waits == [1, 2, 4, 8, 8]  # capped
    assert backoff.wait("session:b") == 0
    backoff.succeeded("session:a")
    assert backoff.wait("session:a") == 0
