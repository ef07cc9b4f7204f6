"""A realistic card corpus for the retrieval tests: related-but-distinct cards sharing tags and
vocabulary, plus lightly edited copies."""

from __future__ import annotations


def card(topic: str, tags: str, body: str, created: str = "2026-02-01",
         updated: str = "2026-03-01") -> str:
    return (f"---\ntopic: {topic}\ncategory: notes\ntags: [{tags}]\ncreated: {created}\n"
            f"updated: {updated}\n---\n# {topic}\n\n{body.strip()}\n")


BACKUP_PLAN = card("Backup plan", "backups, restic, nas", """
Nightly restic backup of /srv/photos and /home/sam to the NAS at 02:30, then a weekly
copy to the offsite bucket on Sundays. Keep 7 daily, 4 weekly and 12 monthly snapshots.
Check the restic repository integrity every month with `restic check`.
""", "2026-02-20", "2026-11-02")

# A lightly edited copy (one phrase reworded, tags written differently, older date).
BACKUP_PLAN_COPY = card("Backup plan", "backups, nas, restic", """
Nightly restic backup of /srv/photos and /home/sam to the NAS at 02:30, then a weekly
copy to the offsite bucket on Sundays. Keep 7 daily, 4 weekly and 12 monthly snapshots.
Check the restic repository integrity once a month with `restic check`.
""", "2026-02-20", "2026-10-02")

# Related but distinct: same tags, same vocabulary, different facts.
RESTORE_DRILL = card("Backup restore drill", "backups, restic, nas", """
Every quarter restore one random folder from the restic repository on the NAS into
/tmp/restore-test and diff it against the live copy. Last drill 2026-09-14 restored
/home/sam/documents in 11 minutes; the offsite bucket restore took 40 minutes.
""")
BACKUP_RETENTION = card("Backup retention for the offsite bucket", "backups, restic, nas", """
The offsite bucket (Backblaze B2, bucket sam-offsite) has object lock for 30 days and a
lifecycle rule that deletes hidden versions after 90 days. Restic prune runs on the NAS
on the first Sunday of the month; budget is 6 USD per month.
""")

OTHER_CARDS = {
    "ssh-keys.md": card("SSH keys and agents", "ssh, keys", """
Use ed25519 keys, one per device, with the passphrase in the system keychain. The NAS
accepts keys only; password login is off. Rotate keys every two years.
"""),
    "ssh-config.md": card("SSH client config for home hosts", "ssh, keys", """
~/.ssh/config has Host entries for nas (nas.local, user sam, port 22) and pi (pi.local,
user pi). ControlMaster auto with ControlPersist 10m keeps connections warm.
"""),
    "network-ports.md": card("Home network ports", "network, ports, nas", """
- 22/tcp ssh on nas.local (key-only)
- 443/tcp reverse proxy (Caddy) for the photo library
- 11434/tcp Ollama, bound to 127.0.0.1 only
"""),
    "dns.md": card("Home DNS with Pi-hole", "network, dns", """
Pi-hole on pi.local answers DNS for the LAN and blocks ads; upstream is Quad9 over DoH.
Local records: nas.local, pi.local and photos.home.arpa point at fixed DHCP leases.
"""),
    "photo-library.md": card("Photo library (Immich)", "photos, immich, nas", """
Immich runs in Docker on the NAS and stores originals under /srv/photos. Mobile uploads
come from both phones; face recognition runs at night. The web UI is photos.home.arpa.
"""),
    "coffee.md": card("Coffee order", "preferences, coffee", """
Sam drinks a flat white with oat milk, no sugar. On Fridays a double espresso instead.
Favourite beans: Ethiopian Yirgacheffe from the roaster on Elm Street.
"""),
    "travel-2026.md": card("Travel plans for 2026", "travel, calendar", """
Lisbon 12-19 May (flights booked, TAP, seats 14A/14B); Kyoto in late October, hotel not
booked yet. Passport expires 2027-03, renew before the Kyoto trip.
"""),
    "car.md": card("Car maintenance", "car, calendar", """
The 2019 Golf needs its inspection in June 2026 and a service every 15,000 km; last
service at 61,200 km on 2026-01-10 at the garage on Bridge Road.
"""),
}
