# Install rules and the packages: programs, the simulator's seed, boot scripts for systemd, upstart
# and SysV init, config files, man pages and docs. Include it after the irqd and irqctl targets.
#
# The packages:  cmake -S . -B build -DCMAKE_INSTALL_PREFIX=/usr && cmake --build build -j2
#                cd build && cpack               -> irqd_<version>_<arch>.deb, irqd-<version>-1.<arch>.rpm
#                                                   (with rpmbuild), irqd-<version>-Linux-<arch>.tar.gz
include(GNUInstallDirs)

# The boot scripts name /usr/sbin/irqd, /etc/irqd/irqd.conf and /etc/default/irqd, so they and the
# config files go to those absolute places whatever the prefix; the rest follows the prefix.
# Bookworm packages still ship units in /lib (the /usr-merge moratorium); systemd reads both.
set(IRQD_SYSTEMD_UNIT_DIR /lib/systemd/system CACHE PATH "where irqd.service is installed")
option(IRQD_INSTALL_BOOT_FILES "Install the boot scripts and /etc files (off for an unprivileged prefix)" ON)

if(TARGET irqd)
  install(TARGETS irqd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
endif()
install(TARGETS irqctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# --simulate without a file looks for it here (config.cpp: default_simulation_file()).
install(FILES ${PROJECT_SOURCE_DIR}/data/interrupts-per-day.txt DESTINATION ${CMAKE_INSTALL_DATADIR}/irqd)
# Fleets (docs/fleet.md): Prometheus rules and their promtool tests, the Grafana dashboard, Ansible.
install(FILES ${PROJECT_SOURCE_DIR}/prometheus/irqd-rules.yml ${PROJECT_SOURCE_DIR}/prometheus/irqd-rules.test.yml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/irqd/prometheus)
install(FILES ${PROJECT_SOURCE_DIR}/grafana/irqd.json DESTINATION ${CMAKE_INSTALL_DATADIR}/irqd/grafana)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/contrib/ansible DESTINATION ${CMAKE_INSTALL_DATADIR}/irqd)
# Tab completion of irqctl's verbs and options (bash-completion loads it on first use).
install(FILES ${PROJECT_SOURCE_DIR}/contrib/bash-completion/irqctl DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)

set(IRQD_CONFFILES /etc/irqd/irqd.conf /etc/default/irqd /etc/init.d/irqd /etc/init/irqd.conf)
if(IRQD_INSTALL_BOOT_FILES)
  install(FILES ${PROJECT_SOURCE_DIR}/systemd/irqd.service DESTINATION ${IRQD_SYSTEMD_UNIT_DIR})
  # Component "sysv": left out of the RPM (cmake/cpack_generators.cmake).
  install(FILES ${PROJECT_SOURCE_DIR}/upstart/irqd.conf DESTINATION /etc/init COMPONENT sysv)
  install(PROGRAMS ${PROJECT_SOURCE_DIR}/etc/init.d/irqd DESTINATION /etc/init.d COMPONENT sysv)
  install(FILES ${PROJECT_SOURCE_DIR}/etc/irqd/irqd.conf DESTINATION /etc/irqd)
  install(FILES ${PROJECT_SOURCE_DIR}/etc/default/irqd DESTINATION /etc/default)
  # Run by the .deb postinst and the RPM %post (the name is fixed there: /usr/lib/irqd).
  install(PROGRAMS ${PROJECT_SOURCE_DIR}/packaging/common/irqd-systemd-compat DESTINATION lib/irqd)
endif()
# What the static programs hold (glibc, libstdc++, Boost) and their licences; a changelog, for dpkg.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
if(IRQD_STATIC)
  # lintian's embedded-library: zlib is linked into the static irqd on purpose (docs/install.md).
  install(FILES ${PROJECT_SOURCE_DIR}/packaging/lintian/irqd DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides)
endif()
set(IRQD_CHANGELOG ${PROJECT_BINARY_DIR}/packaging/changelog.gz)

file(GLOB IRQD_DOCS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
if(IRQD_DOCS)
  install(FILES ${IRQD_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR})
endif()

# Man pages from --help, when help2man is there (test/packaging/deps.sh installs it); without it
# the package has the docs above and --help only.
find_program(IRQD_HELP2MAN help2man)
find_program(IRQD_GZIP gzip)
set(IRQD_MAN_PAGES "")
if(IRQD_HELP2MAN AND IRQD_GZIP AND TARGET irqd)
  set(man_dir ${PROJECT_BINARY_DIR}/man)
  file(MAKE_DIRECTORY ${man_dir})
  file(WRITE ${man_dir}/irqd.h2m
       "[FILES]\n"
       ".TP\n/etc/irqd/irqd.conf\noptions, one 'name = value' per line (see \\fB\\-\\-config\\fR)\n"
       ".TP\n/etc/default/irqd\nIRQD_ARGS: extra options for the boot scripts; they win over the file\n"
       ".TP\n/var/lib/irqd\nsaved affinities\n"
       ".TP\n/usr/share/irqd/interrupts\\-per\\-day.txt\nthe seed of \\fB\\-\\-simulate\\fR\n"
       "[SEE ALSO]\n\\fBirqctl\\fR(1), /usr/share/doc/irqd/install.md\n")
  file(WRITE ${man_dir}/irqctl.h2m "[SEE ALSO]\n\\fBirqd\\fR(8)\n")
  # name, section, target, one-line summary
  foreach(page "irqd;8;irqd;watch where hardware interrupts land and balance them across CPUs"
               "irqctl;1;irqctl;command-line client of the irqd daemon")
    list(GET page 0 name)
    list(GET page 1 section)
    list(GET page 2 target)
    list(GET page 3 summary)
    set(out ${man_dir}/${name}.${section})
    add_custom_command(OUTPUT ${out}.gz
      COMMAND ${IRQD_HELP2MAN} --no-info --no-discard-stderr --section=${section} --name=${summary}
              --include=${man_dir}/${name}.h2m --output=${out} $<TARGET_FILE:${target}>
      COMMAND ${IRQD_GZIP} -9nf ${out}
      DEPENDS ${target} ${man_dir}/${name}.h2m
      COMMENT "help2man: ${name}.${section}"
      VERBATIM)
    list(APPEND IRQD_MAN_PAGES ${out}.gz)
    install(FILES ${out}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
  endforeach()
  add_custom_target(irqd_man ALL DEPENDS ${IRQD_MAN_PAGES})
else()
  message(STATUS "help2man or gzip not found: no man pages (test/packaging/deps.sh installs them)")
endif()

# The packages. The programs are static by default (IRQD_STATIC): the .deb and the RPM depend on
# nothing. Without IRQD_STATIC, Boost is still linked in (IRQD_STATIC_BOOST) and the programs need
# libc, libm, libstdc++ and libgcc_s; dpkg-shlibdeps states the versions when it is installed.
find_program(IRQD_RPMBUILD rpmbuild)
set(CPACK_GENERATOR DEB TGZ)
if(IRQD_RPMBUILD)
  list(APPEND CPACK_GENERATOR RPM)
endif()
set(CPACK_PACKAGE_NAME irqd)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "irqd maintainers")
set(CPACK_PACKAGE_CONTACT "irqd maintainers <maintainers@users.noreply.b-seed-c2561173.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "watch where hardware interrupts land and balance them across CPUs")
set(CPACK_PACKAGE_DESCRIPTION
    "irqd samples /proc/interrupts, keeps a history of interrupt rates per IRQ\n"
    "and CPU, serves it over an HTTP/JSON and WebSocket API on 127.0.0.1:8080\n"
    "and sets IRQ affinities through /proc/irq. irqctl is its command-line\n"
    "client. Static programs: they run on any Linux 3.2 or later.")
string(JOIN "" CPACK_PACKAGE_DESCRIPTION ${CPACK_PACKAGE_DESCRIPTION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# dpkg 1.17 (Ubuntu 14.04) reads xz and gzip, not zstd; CPack writes control.tar.gz whatever this is.
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
find_program(IRQD_DPKG_SHLIBDEPS dpkg-shlibdeps)
find_program(IRQD_FILE file)
if(IRQD_STATIC)
  # No Depends: nothing is loaded at run time.
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
elseif(IRQD_DPKG_SHLIBDEPS AND IRQD_FILE)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  # What dpkg-shlibdeps says on Debian 12, rounded up to the build's own gcc 12 and glibc 2.36.
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6 (>= 2.36), libgcc-s1 (>= 12), libstdc++6 (>= 12), zlib1g (>= 1:1.2.13)")
  if(NOT IRQD_STATIC_BOOST)
    message(WARNING "IRQD_STATIC_BOOST is OFF and dpkg-shlibdeps is missing: the .deb will not depend on Boost")
  endif()
endif()

set(deb_dir ${PROJECT_BINARY_DIR}/packaging/debian)
string(JOIN "\n" conffiles ${IRQD_CONFFILES})
file(WRITE ${deb_dir}/conffiles "${conffiles}\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
if(IRQD_INSTALL_BOOT_FILES)
  list(APPEND CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${deb_dir}/conffiles)
endif()
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# A one-entry changelog (lintian wants one in every package), compressed reproducibly.
file(WRITE ${PROJECT_BINARY_DIR}/packaging/changelog
     "irqd (${PROJECT_VERSION}) unstable; urgency=medium\n\n"
     "  * Release ${PROJECT_VERSION}: see /usr/share/doc/irqd/install.md.\n\n"
     " -- ${CPACK_PACKAGE_CONTACT}  Wed, 02 Dec 2026 00:00:00 +0000\n")
if(IRQD_GZIP)
  add_custom_command(OUTPUT ${IRQD_CHANGELOG}
    COMMAND ${IRQD_GZIP} -9nc ${PROJECT_BINARY_DIR}/packaging/changelog > ${IRQD_CHANGELOG}
    DEPENDS ${PROJECT_BINARY_DIR}/packaging/changelog VERBATIM)
  add_custom_target(irqd_changelog ALL DEPENDS ${IRQD_CHANGELOG})
  install(FILES ${IRQD_CHANGELOG} DESTINATION ${CMAKE_INSTALL_DOCDIR})
endif()

# The RPM (RHEL/CentOS 7 and later): the same files, but no SysV script or upstart job (RHEL's
# init is systemd, and the script needs Debian's start-stop-daemon); scripts in packaging/rpm/.
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_RELEASE 1)
set(CPACK_RPM_PACKAGE_LICENSE "see /usr/share/doc/irqd/copyright")
set(CPACK_RPM_PACKAGE_GROUP "System Environment/Daemons")
set(CPACK_RPM_PACKAGE_AUTOREQ OFF)
set(CPACK_RPM_PACKAGE_AUTOPROV OFF)
set(CPACK_RPM_COMPRESSION_TYPE xz)
# No /usr/lib/.build-id links: two packages with the same build could not both own them.
set(CPACK_RPM_SPEC_MORE_DEFINE "%define _build_id_links none")
set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE ${PROJECT_SOURCE_DIR}/packaging/rpm/post.sh)
set(CPACK_RPM_PRE_UNINSTALL_SCRIPT_FILE ${PROJECT_SOURCE_DIR}/packaging/rpm/preun.sh)
set(CPACK_RPM_POST_UNINSTALL_SCRIPT_FILE ${PROJECT_SOURCE_DIR}/packaging/rpm/postun.sh)
# Directories the system owns (filesystem, systemd): the package must not claim them.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION /lib /lib/systemd /lib/systemd/system /usr/sbin
    /usr/lib/systemd /usr/share/man /usr/share/man/man1 /usr/share/man/man8 /etc/default /usr/lib/.build-id)
set(CPACK_RPM_USER_FILELIST "%config(noreplace) /etc/irqd/irqd.conf" "%config(noreplace) /etc/default/irqd")

# The .tar.gz, for any other Linux: the tree as installed under /, to unpack with tar -C /.
set(CPACK_IRQD_ARCH ${CMAKE_SYSTEM_PROCESSOR})
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_SOURCE_DIR}/cmake/cpack_generators.cmake)
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(STATUS "irqd .deb: configure with -DCMAKE_INSTALL_PREFIX=/usr so the compiled-in data path is "
                 "/usr/share/irqd (the daemon also finds it next to /usr/sbin, so this one still works)")
endif()
include(CPack)
