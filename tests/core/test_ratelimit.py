from __future__ import annotations

from barberbot.core.ratelimit import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_allows_the_limit_then_says_how_long_to_wait() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, window=60, clock=clock)

    assert [limiter.hit("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    clock.now += 10
    assert limiter.hit("a") == 50.0


def test_clients_are_counted_apart() -> None:
    limiter = RateLimiter(1, clock=FakeClock())

    assert limiter.hit("a") == 0.0
    assert limiter.hit("b") == 0.0
    assert limiter.hit("a") > 0


def test_the_window_slides() -> None:
    clock = FakeClock()
    limiter = RateLimiter(1, window=60, clock=clock)
    limiter.hit("a")

    clock.now += 60.5

    assert limiter.hit("a") == 0.0


def test_zero_turns_it_off() -> None:
    limiter = RateLimiter(0)

    assert all(limiter.hit("a") == 0.0 for _ in range(1000))
