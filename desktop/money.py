"""Amounts in riyals: what an officer types ("1,500.50", "١٥٠٠٫٥ ريال") read as a `Decimal`, and shown back.

Shared by reception (the serve step) and the case desk (a service recorded on a case); Qt-free.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from desktop.arabic_text import display_digits, isolate, strip_bidi_controls, to_latin_digits
from desktop.errors import InputError, ReceptionError

__all__ = ["MAX_AMOUNT", "money_text", "parse_amount"]

#: The largest amount accepted for one service (riyals).
MAX_AMOUNT = Decimal("10000000")


def parse_amount(text_value: str, error: type[InputError] = ReceptionError) -> Decimal | None:
    """An amount in riyals typed with Latin or Arabic-Indic digits ("1,500.50", "١٥٠٠٫٥"); None when empty.

    A value that is not a positive number with at most two decimals (halalas) up to `MAX_AMOUNT` raises
    `error` (field "amount") with the Arabic reason.
    """
    cleaned = to_latin_digits(strip_bidi_controls(text_value or "")).strip()
    cleaned = cleaned.replace("٬", "").replace(",", "").replace("٫", ".").replace(" ", "")
    cleaned = cleaned.removesuffix("ريال").removesuffix("ر.س").strip()
    if not cleaned:
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise error("المبلغ غير صالح: اكتبه أرقامًا مثل 1500 أو 1500.50", field="amount") from None
    exponent = amount.as_tuple().exponent
    if not isinstance(exponent, int) or amount < 0 or amount > MAX_AMOUNT or exponent < -2:
        raise error("المبلغ غير صالح: رقم موجب بهللتين على الأكثر", field="amount")
    return amount


def money_text(amount: Decimal | None) -> str:
    """An amount as shown in Arabic text: «١٬٥٠٠ ريال» (isolated, the desk's digits, halalas only when any)."""
    if amount is None:
        return ""
    text_value = f"{amount:,.2f}".removesuffix(".00").replace(",", "٬").replace(".", "٫")
    return f"{isolate(display_digits(text_value))} ريال"
