"""A run's parameters are declared once: DAG params, CLI flags and RunRequest agree."""

from __future__ import annotations

import logging

import pytest

from pipeline.cli import build_parser
from pipeline.run.flow import FLOWS, RunRequest
from pipeline.run.params import RUN_PARAMS, params_of


@pytest.mark.parametrize("flow", sorted(FLOWS))
def test_every_declared_parameter_is_a_cli_flag_and_a_request_field(flow):
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices["run" if flow == "ingest" else "reindex"]
    flags = {opt for action in sub._actions for opt in action.option_strings}
    fields = set(RunRequest.__dataclass_fields__)
    for param in params_of(flow):
        assert param.flag in flags, (flow, param.name)
        assert param.name in fields, (flow, param.name)


def test_optional_parameters_left_empty_take_their_default():
    request = RunRequest.from_params({"source_dir": "/x", "source_id": None, "encoding": "", "full_refresh": None},
                                     flow="ingest")
    assert (request.source_id, request.encoding, request.full_refresh) == (None, None, False)


def test_the_old_source_name_parameter_still_works_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING):
        request = RunRequest.from_params({"source_name": "feed"}, flow="reindex")
    assert request.source_id == "feed"
    assert "deprecated" in caplog.text and "source_id" in caplog.text
    # the new name wins when both are given
    assert RunRequest.from_params({"source_name": "old", "source_id": "new"}).source_id == "new"


def test_parameters_of_another_kind_of_run_are_ignored():
    assert RunRequest.from_params({"allow_shrink": True}, flow="ingest").allow_shrink is False
    assert RunRequest.from_params({"allow_shrink": True}, flow="reindex").allow_shrink is True


def test_cli_flags_build_the_same_request_as_dag_params():
    args = build_parser().parse_args(["run", "--source-dir", "/data/in", "--source-id", "feed", "--encoding", "cp1251",
                                      "--full-refresh"])
    from pipeline.cli import _run_request

    assert _run_request(args, "ingest") == RunRequest.from_params(
        {"source_dir": "/data/in", "source_id": "feed", "encoding": "cp1251", "full_refresh": True},
        check_allowed_roots=False)


def test_names_are_unique_and_optional_ones_say_their_default():
    for flow in ("ingest", "reindex"):  # one declaration a name per kind of run (source_dir differs by kind)
        names = [p.name for p in params_of(flow)]
        assert len(names) == len(set(names)), flow
    for p in RUN_PARAMS:
        if p.nullable:
            assert "Empty:" in p.description or "empty" in p.description.lower(), p.name
