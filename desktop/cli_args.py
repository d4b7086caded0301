"""Command lines that answer in Arabic: argparse's own messages (usage, help, refusals) worded for an administrator.

argparse words its refusals in English («the following arguments are required: …») and prints the whole usage
before them. `ArabicArgumentParser` keeps argparse's parsing and gives one Arabic line instead, naming the
command's help, and exit code 2 (argparse's own code for a command line it refuses). Standard library only:
`mustafid-admin`, `mustafid-server` and `mustafid` all use it.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from typing import Any, NoReturn

__all__ = ["ArabicArgumentParser", "arabic_refusal", "EXIT_USAGE"]

#: The exit code of a refused command line (argparse's own).
EXIT_USAGE = 2


def _names(listed: str) -> str:
    """argparse's "a, b, c" or "'a', 'b'" as «a» و«b»."""
    names = [name.strip().strip("'\"") for name in listed.split(",") if name.strip()]
    return "، ".join(f"«{name}»" for name in names)


#: argparse's refusals (Python 3.11 wording) and their Arabic.
_REFUSALS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"^the following arguments are required: (?P<names>.+)$"),
     lambda m: f"ناقص في الأمر: {_names(m['names'])}"),
    (re.compile(r"^one of the arguments (?P<names>.+) is required$"),
     lambda m: f"يلزم واحد من: {_names(m['names'].replace(' ', ','))}"),
    (re.compile(r"^unrecognized arguments: (?P<names>.+)$"),
     lambda m: f"معاملات غير معروفة: {_names(m['names'].replace(' ', ','))}"),
    (re.compile(r"^argument (?P<arg>\S+): invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)$"),
     lambda m: f"القيمة «{m['value'].strip(chr(39))}» غير معروفة لـ {m['arg']}؛ المقبول: {_names(m['choices'])}"),
    (re.compile(r"^argument (?P<arg>\S+): invalid (?P<kind>\w+) value: (?P<value>.+)$"),
     lambda m: f"القيمة «{m['value'].strip(chr(39))}» لـ {m['arg']} ليست "
               + ("عددًا صحيحًا" if m["kind"] == "int" else "عددًا" if m["kind"] == "float" else "مقبولة")),
    (re.compile(r"^argument (?P<arg>\S+): expected one argument$"),
     lambda m: f"{m['arg']} يحتاج إلى قيمة بعده"),
    (re.compile(r"^argument (?P<arg>\S+): expected at least one argument$"),
     lambda m: f"{m['arg']} يحتاج إلى قيمة واحدة على الأقل"),
    (re.compile(r"^argument (?P<arg>\S+): not allowed with argument (?P<other>\S+)$"),
     lambda m: f"لا يُستعمل {m['arg']} مع {m['other']}"),
    (re.compile(r"^ambiguous option: (?P<option>\S+) could match (?P<matches>.+)$"),
     lambda m: f"الخيار {m['option']} يحتمل أكثر من معنى: {_names(m['matches'])}"),
)


def arabic_refusal(message: str) -> str:
    """argparse's English refusal as one Arabic sentence (an unknown one is kept, after an Arabic lead)."""
    for pattern, word in _REFUSALS:
        match = pattern.match(message)
        if match:
            return word(match)
    return f"الأمر غير صحيح ({message})"


class ArabicArgumentParser(argparse.ArgumentParser):
    """An argparse parser whose help headings and refusals are Arabic; a refusal is one line on stderr, exit 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """As `argparse.ArgumentParser`, with the help option and the section titles in Arabic."""
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "المعاملات"
        self._optionals.title = "الخيارات"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="اعرض هذه المساعدة واخرج")

    def format_usage(self) -> str:
        """The usage line, headed in Arabic."""
        return _arabic_usage(super().format_usage())

    def format_help(self) -> str:
        """The help text, its usage line headed in Arabic."""
        return _arabic_usage(super().format_help())

    def error(self, message: str) -> NoReturn:
        """Refuse the command line in one Arabic line that names the help of this command, then exit 2."""
        print(f"خطأ: {arabic_refusal(message)}. للمساعدة: {self.prog} -h", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _arabic_usage(text: str) -> str:
    return re.sub(r"^usage: ", "الاستعمال: ", text)
