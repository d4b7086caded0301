"""`mustafid-server`: run the sync server (uvicorn) on PostgreSQL, or on a SQLite file for a one-office trial."""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from desktop.cli_args import ArabicArgumentParser
from desktop.server.limits import AUTH_FAILURE, DEVICE, ENROLL, Rate, RateLimits
from desktop.version import add_version_argument

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: The database URL when --db is not given (the systemd unit and compose.yaml set it: not on a command line,
#: which every user of the machine can read).
DB_URL_ENV = "MUSTAFID_SERVER_DB"


def default_db_url() -> str:
    """A SQLite file in the user data directory (a one-office trial; use PostgreSQL for real)."""
    from platformdirs import user_data_path

    from desktop.startup import APP_AUTHOR, APP_NAME

    return f"sqlite:///{user_data_path(APP_NAME, APP_AUTHOR, roaming=False) / 'server' / 'mustafid-server.sqlite3'}"


#: The server database's password, when not given by --config (never on the command line).
DB_PASSWORD_ENV = "MUSTAFID_SERVER_DB_PASSWORD"


class ServerConfigError(Exception):
    """A refused server configuration: `message_ar` is printed as one line (exit 2)."""

    def __init__(self, message_ar: str) -> None:
        super().__init__(message_ar)
        self.message_ar = message_ar


def database_url(db: str | None, config: Path | None, environ: dict[str, str] | None = None) -> str:
    """The server database's URL: --db, else the config file's ``[database] url``, else $MUSTAFID_SERVER_DB,
    else the trial SQLite file; its password from the config file's ``[database] password`` or
    $MUSTAFID_SERVER_DB_PASSWORD (or, left out, libpq's own ``~/.pgpass``).

    A password written in --db is refused: a command line is visible to every account on the machine (``ps``)
    and kept in shell histories. A config file readable by others is refused too (POSIX).
    """
    from sqlalchemy.engine import make_url

    env = dict(os.environ if environ is None else environ)
    settings: dict[str, object] = {}
    if config is not None:
        import tomllib

        try:
            if os.name == "posix" and config.stat().st_mode & 0o077:
                raise ServerConfigError(f"ملف الإعداد {config} مقروء لغير حساب الخادم: اجعله له وحده (chmod 600)")
            section = tomllib.loads(config.read_text(encoding="utf-8")).get("database", {})
        except OSError as error:
            raise ServerConfigError(f"تعذرت قراءة ملف الإعداد {config} ({error.strerror or error})") from error
        except tomllib.TOMLDecodeError as error:
            raise ServerConfigError(f"ملف الإعداد {config} ليس TOML صالحًا ({error})") from error
        settings = section if isinstance(section, dict) else {}
    if db is not None and make_url(db).password is not None:
        raise ServerConfigError(
            f"لا تُكتب كلمة مرور قاعدة البيانات في سطر الأمر: ضعها في المتغير {DB_PASSWORD_ENV} "
            "أو في ملف الإعداد (--config)"
        )
    raw = db or (str(settings["url"]) if settings.get("url") else None) or env.get(DB_URL_ENV) or default_db_url()
    password = settings.get("password") or env.get(DB_PASSWORD_ENV)
    url = make_url(raw)
    if password and url.get_backend_name() != "sqlite" and url.password is None:
        url = url.set(password=str(password))
    return url.render_as_string(hide_password=False)


def build_parser() -> argparse.ArgumentParser:
    """The command line of `mustafid-server`."""
    parser = ArabicArgumentParser(prog="mustafid-server", description="خادم المزامنة المركزي لمكتب المستفيد")
    parser.add_argument("--db", default=None, metavar="URL",
                        help="قاعدة بيانات الخادم: postgresql+psycopg://user@host/db بلا كلمة مرور (أو المتغير "
                             f"{DB_URL_ENV})؛ كلمة المرور في المتغير {DB_PASSWORD_ENV} أو ملف الإعداد "
                             "(الافتراضي: ملف SQLite للتجربة)")
    parser.add_argument("--config", type=Path, default=None, metavar="FILE",
                        help="ملف إعداد TOML له وحده (chmod 600): قسم [database] فيه url و password")
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"العنوان الذي يستمع عليه (الافتراضي {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="المنفذ؛ 0 = منفذ حر يُطبع عند البدء")
    parser.add_argument("--cert", type=Path, default=None, help="ملف شهادة TLS (PEM)")
    parser.add_argument("--key", type=Path, default=None, help="ملف المفتاح الخاص لشهادة TLS (PEM)")
    parser.add_argument("--min-client-schema", default=None, metavar="REV",
                        help="أقدم إصدار لقاعدة بيانات المكتب يقبله الخادم")
    add_version_argument(parser)
    parser.add_argument("--insecure-lan", action="store_true",
                        help="السماح بالاستماع على عنوان شبكة دون TLS (غير آمن: كلمات المرور والبيانات تمر مكشوفة)")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="عدد عمليات الخادم (PostgreSQL فقط عند أكثر من واحدة)")
    parser.add_argument("--token-rotate-minutes", type=float, default=60, metavar="M",
                        help="يُستبدل رمز اعتماد الجهاز برمز جديد بعد هذه المدة من إصداره (بالدقائق)")
    parser.add_argument("--token-idle-days", type=float, default=30, metavar="D",
                        help="ينتهي رمز اعتماد الجهاز إذا لم يُستخدم هذه المدة (بالأيام)")
    parser.add_argument("--rate-limit", action="append", default=[], metavar="KIND=BURST/PER_SECOND",
                        help="حد معدل الطلبات، مشترك بين عمليات الخادم: enroll (محاولات التسجيل لكل عنوان) أو "
                             "auth_failure (المحاولات الخاطئة لكل عنوان) أو device (طلبات كل جهاز)؛ "
                             "مثال: device=600/50 (الافتراضي: enroll=60/1، auth_failure=20/0.1667، device=600/50)")
    return parser


def parse_rate_limits(values: Sequence[str]) -> RateLimits:
    """The rate limits of ``--rate-limit KIND=BURST/PER_SECOND`` options (the defaults for the others);
    `ServerConfigError` with an Arabic message for a malformed one."""
    chosen: dict[str, Rate] = {}
    for value in values:
        kind, _, numbers = value.partition("=")
        burst, _, per_second = numbers.partition("/")
        try:
            rate = Rate(burst=float(burst), per_second=float(per_second))
        except ValueError:
            rate = Rate(0, 0)
        if kind.strip() not in (ENROLL, AUTH_FAILURE, DEVICE) or not (rate.burst >= 1 and rate.per_second > 0):
            raise ServerConfigError(f"حد المعدل «{value}» غير صحيح: اكتبه بالشكل device=600/50 (النوع enroll أو "
                                    "auth_failure أو device، والسعة ١ فأكثر، والمعدل في الثانية أكبر من صفر)")
        chosen[kind.strip()] = rate
    return RateLimits(**chosen)


def is_loopback(host: str) -> bool:
    """True when `host` is a loopback address or ``localhost`` (reachable from this machine only)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def listening_socket(family: socket.AddressFamily) -> socket.socket:
    """A TCP listening socket whose accepted connections send small replies at once (TCP_NODELAY).

    Created with ``proto=IPPROTO_TCP`` so asyncio's transport sets TCP_NODELAY on every accepted
    connection (it only does so for sockets that say they are TCP; a bare ``socket.socket()`` has
    proto 0), and the option is also set on the listener (Linux copies it to accepted sockets).
    Without it each reply on a kept-alive connection waits ~40 ms (Nagle + delayed ACK).
    """
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def main(argv: Sequence[str] | None = None) -> int:
    """Start the server; failures print one Arabic line and exit non-zero."""
    args = build_parser().parse_args(argv)
    if (args.cert is None) != (args.key is None):
        print("خطأ: يلزم تمرير --cert و --key معًا لتفعيل TLS", file=sys.stderr)
        return 2
    for path in (args.cert, args.key):
        if path is not None and not path.is_file():
            print(f"خطأ: الملف غير موجود: {path}", file=sys.stderr)
            return 2
    if args.cert is None and not args.insecure_lan and not is_loopback(args.host):
        print(f"خطأ: لن يستمع الخادم على {args.host} دون شهادة TLS: أنشئ شهادة بالأمر "
              "«mustafid-admin server make-cert» ومرّرها بـ --cert و --key، أو أضف --insecure-lan على مسؤوليتك",
              file=sys.stderr)
        return 2
    if args.workers < 1 or args.token_rotate_minutes < 0 or args.token_idle_days <= 0:
        print("خطأ: عدد العمليات ومدد الرموز يجب أن تكون أعدادًا موجبة", file=sys.stderr)
        return 2
    try:
        db_url = database_url(args.db, args.config)
        limits = parse_rate_limits(args.rate_limit)
    except ServerConfigError as exc:
        print(f"خطأ: {exc.message_ar}", file=sys.stderr)
        return 2
    if args.workers > 1 and not db_url.startswith("postgres"):
        print("خطأ: تشغيل الخادم بأكثر من عملية واحدة يتطلب قاعدة PostgreSQL", file=sys.stderr)
        return 2
    # The application (FastAPI, the models, the protocol) is loaded once the command line is known to be sound.
    import uvicorn

    from desktop.server.app import configure_logging, create_app

    configure_logging()
    from desktop.server.store import ServerError

    import datetime as dt

    rotate = dt.timedelta(minutes=args.token_rotate_minutes)
    idle = dt.timedelta(days=args.token_idle_days)
    try:
        app = create_app(db_url, min_client_schema=args.min_client_schema, token_rotate_after=rotate,
                         token_idle_expiry=idle, limits=limits)
    except ServerError as exc:
        print(f"خطأ: {exc.message_ar}", file=sys.stderr)
        return 1
    except Exception as exc:  # the database cannot be reached or migrated: say so in one line
        print(f"خطأ: تعذر فتح قاعدة بيانات الخادم أو ترقيتها ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})",
              file=sys.stderr)
        return 1
    try:
        family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
        sock = listening_socket(family)
        sock.bind((args.host, args.port))
    except OSError as exc:
        print(f"خطأ: تعذر الاستماع على {args.host}:{args.port} ({exc.strerror or exc})", file=sys.stderr)
        return 1
    port = sock.getsockname()[1]
    scheme = "https" if args.cert else "http"
    host = f"[{args.host}]" if ":" in args.host else args.host
    certfile = str(args.cert) if args.cert else None
    keyfile = str(args.key) if args.key else None
    if args.workers == 1:
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, ssl_certfile=certfile,
                                               ssl_keyfile=keyfile))
        print(f"mustafid-server listening on {scheme}://{host}:{port}", flush=True)
        server.run(sockets=[sock])
        return 0
    from uvicorn.supervisors import Multiprocess

    from desktop.server.app import ENV_CONFIG

    app.state.store.dispose()  # migrated here, once; each worker opens its own pool
    # The workers read their settings from the environment (inherited, readable by this account only): the
    # database URL with its password as resolved above (from --config or MUSTAFID_SERVER_DB_PASSWORD).
    os.environ[ENV_CONFIG] = json.dumps({
        "db_url": db_url, "min_client_schema": args.min_client_schema, "log_requests": True,
        "token_rotate_seconds": rotate.total_seconds(), "token_idle_seconds": idle.total_seconds(),
        "limits": {kind: [limits.of(kind).burst, limits.of(kind).per_second] for kind in (ENROLL, AUTH_FAILURE, DEVICE)}})
    config = uvicorn.Config("desktop.server.app:app_from_environment", factory=True, workers=args.workers,
                            log_level="warning", access_log=False, ssl_certfile=certfile, ssl_keyfile=keyfile)
    print(f"mustafid-server listening on {scheme}://{host}:{port} ({args.workers} workers)", flush=True)
    Multiprocess(config, sockets=[sock]).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
