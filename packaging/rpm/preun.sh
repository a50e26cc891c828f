# irqd RPM %preun ($1: 0 when the package goes, 1 on an upgrade): stops and disables irqd before
# its files are removed. An upgrade leaves it running; %post restarts it.
if [ "$1" = 0 ]; then
    if [ -d /run/systemd/system ]; then
        systemctl stop irqd.service >/dev/null 2>&1 || :
    fi
    systemctl disable irqd.service >/dev/null 2>&1 || :
fi
exit 0
