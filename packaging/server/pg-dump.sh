#!/bin/sh
# Dump the sync server's database to $MUSTAFID_DUMP_DIR/mustafid-YYYYmmdd-HHMMSS.dump (pg_dump -Fc), written to a
# .partial file and renamed when whole; keep the newest $MUSTAFID_DUMP_KEEP. Restore: see packaging/server/README.md.
set -eu
dir="${MUSTAFID_DUMP_DIR:-/var/backups/mustafid}"
keep="${MUSTAFID_DUMP_KEEP:-14}"
url="${MUSTAFID_SERVER_DB:?MUSTAFID_SERVER_DB is not set}"
url="$(printf '%s' "$url" | sed 's/^postgresql+psycopg:/postgresql:/')"  # SQLAlchemy's URL as libpq's
mkdir -p "$dir"
name="mustafid-$(date -u +%Y%m%d-%H%M%S).dump"
pg_dump --format=custom --no-owner --dbname="$url" --file="$dir/$name.partial"
mv "$dir/$name.partial" "$dir/$name"
ls -1t "$dir"/mustafid-*.dump | tail -n +"$((keep + 1))" | xargs -r rm --
echo "$dir/$name"
