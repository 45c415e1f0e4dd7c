"""The test apps start no background thread, and closing an app stops the one it started."""

from __future__ import annotations

from tests.dashboard.conftest import close_app, make_app


def test_test_apps_start_no_checkpoint_thread_and_closing_stops_one(database_url: str) -> None:
    app = make_app(database_url)
    try:
        assert app.extensions["consent_api"].scheduler is None
    finally:
        close_app(app)
    ticking = make_app(database_url, CHECKPOINT_INTERVAL_SECONDS=60)
    thread = ticking.extensions["consent_api"].scheduler
    assert thread is not None and thread.is_alive()
    close_app(ticking)
    assert not thread.is_alive()  # stopped and waited for, not merely asked to stop
    assert ticking.extensions["consent_api"].scheduler is None
