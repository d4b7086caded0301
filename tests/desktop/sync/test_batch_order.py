"""A push whose rows refer forward, within the same batch, to rows it also creates is stored whole.

A case opened at the greeting and verified offline is pushed as one batch: the case's mutation comes first (the
outbox keeps its first place) but already names the beneficiary created at the verification, later in the
batch. The server checks every reference (issue 15's validation): it must find the beneficiary in the batch,
not refuse the case as pointing at a row it does not hold.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text

from tests.desktop.reception.conftest import documents, particulars
from tests.desktop.sync.conftest import Desk, assert_converged


def test_a_case_verified_offline_is_pushed_with_its_new_beneficiary(make_desk: Callable[..., Desk],
                                                                     sync_server) -> None:
    first = make_desk("first")
    view = first.reception.start_contact("interview", "service_request")
    first.reception.complete_greet(view.case_id)
    first.reception.complete_verify(view.case_id, particulars(), documents())
    report = first.round()
    assert report.rejected == 0
    first.settle()
    second = make_desk("second")
    second.settle()
    assert_converged(sync_server, first, second)
    beneficiary = second.scalar("SELECT beneficiary_id FROM \"case\" WHERE id = :id", id=view.case_id.hex)
    assert beneficiary is not None
    assert second.scalar("SELECT count(*) FROM beneficiary WHERE id = :id", id=beneficiary) == 1


def test_a_reference_to_a_row_refused_in_the_same_batch_is_refused_too(make_desk: Callable[..., Desk],
                                                                       sync_server) -> None:
    """The look-ahead only counts rows the batch really stores: a case whose new beneficiary the server refuses
    is refused with it, never stored pointing at nothing."""
    first = make_desk("first")
    view = first.reception.start_contact("interview", "service_request")
    first.reception.complete_greet(view.case_id)
    first.reception.complete_verify(view.case_id, particulars(), documents())
    with first.ws.db.engine.begin() as conn:  # the new beneficiary made invalid behind the app's back
        conn.execute(text("UPDATE beneficiary SET gender = 'bogus'"))
    report = first.round()
    assert report.rejected >= 2
