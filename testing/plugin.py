"""pytest fixtures that give a test a running virtrio daemon (registered as the ``virtrio``
pytest11 plugin: installing the package is enough).

Fixtures:

``virtrio_daemon``
    A daemon for one test, in that test's tmp_path. Options come from the test's
    ``@pytest.mark.virtrio(...)`` marker: ``node_file=PATH`` or ``node_xml=TEXT`` (the test
    hypervisor's state from a node file), ``fault_rules=[...]``, ``persistent=True``
    (test:///default keeps its state between connections), ``settings={...}``.
``virtrio_session_daemon``
    One daemon for the whole session (test:///default, persistent), for read-mostly tests.
``virtrio_daemon_factory``
    ``start(**options)`` for several daemons in one test; all stopped at its end.

Each gives a ``virtrio.testing.TestDaemon``: ``.uri`` (read-write), ``.ro_uri``,
``.admin_uri``, ``.uri_for(path)``, ``.log()``, ``.stop()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from .daemon import TestDaemon, start_daemon


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "virtrio(node_file=None, node_xml=None, fault_rules=(), persistent=False, settings=None): "
        "options of the virtrio_daemon fixture",
    )


@pytest.fixture
def virtrio_daemon_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., TestDaemon]]:
    started: list[TestDaemon] = []

    def start(**options: object) -> TestDaemon:
        daemon = start_daemon(tmp_path_factory.mktemp("virtrio"), **options)  # type: ignore[arg-type]
        started.append(daemon)
        return daemon

    yield start
    for daemon in started:
        daemon.stop()


@pytest.fixture
def virtrio_daemon(request: pytest.FixtureRequest, virtrio_daemon_factory: Callable[..., TestDaemon]) -> TestDaemon:
    marker = request.node.get_closest_marker("virtrio")
    options = dict(marker.kwargs) if marker is not None else {}
    return virtrio_daemon_factory(**options)


@pytest.fixture(scope="session")
def virtrio_session_daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDaemon]:
    daemon = start_daemon(tmp_path_factory.mktemp("virtrio-session"), persistent=True)
    yield daemon
    daemon.stop()
