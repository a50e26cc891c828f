# irqd RPM %post ($1: 1 on a first install, 2 on an upgrade). Creates /var/lib/irqd (0700), adds
# the drop-in systemd older than 239 needs, enables irqd at the first install and starts it where
# systemd runs; an upgrade restarts a running irqd. A failed start never fails the install.
mkdir -p /var/lib/irqd
chmod 0700 /var/lib/irqd
/usr/lib/irqd/irqd-systemd-compat || :
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
fi
if [ "$1" = 1 ]; then
    systemctl enable irqd.service >/dev/null 2>&1 || :
    if [ -d /run/systemd/system ]; then
        systemctl start irqd.service || echo "irqd: could not start irqd.service; see: systemctl status irqd" >&2
    fi
elif [ -d /run/systemd/system ]; then
    systemctl try-restart irqd.service >/dev/null 2>&1 || :
fi
exit 0
