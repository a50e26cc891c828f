# irqd RPM %postun ($1: 0 when the package is gone, 1 on an upgrade): forgets the unit and removes
# the drop-in %post wrote for old systemd. /var/lib/irqd (saved affinities) stays, as RPM has no
# purge: remove it by hand.
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
fi
if [ "$1" = 0 ]; then
    rm -f /etc/systemd/system/irqd.service.d/irqd-systemd-before-239.conf
    rmdir /etc/systemd/system/irqd.service.d 2>/dev/null || :
fi
exit 0
