# Install rules and the .deb: programs, the simulator's seed, boot scripts for systemd, upstart and
# SysV init, config files, man pages and docs. Include it after the irqd and irqctl targets.
#
# The .deb:  cmake -S . -B build -DCMAKE_INSTALL_PREFIX=/usr && cmake --build build -j2
#            cd build && cpack -G DEB            -> irqd_<version>_<arch>.deb
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

set(IRQD_CONFFILES /etc/irqd/irqd.conf /etc/default/irqd /etc/init.d/irqd /etc/init/irqd.conf)
if(IRQD_INSTALL_BOOT_FILES)
  install(FILES ${PROJECT_SOURCE_DIR}/systemd/irqd.service DESTINATION ${IRQD_SYSTEMD_UNIT_DIR})
  install(FILES ${PROJECT_SOURCE_DIR}/upstart/irqd.conf DESTINATION /etc/init)
  install(PROGRAMS ${PROJECT_SOURCE_DIR}/etc/init.d/irqd DESTINATION /etc/init.d)
  install(FILES ${PROJECT_SOURCE_DIR}/etc/irqd/irqd.conf DESTINATION /etc/irqd)
  install(FILES ${PROJECT_SOURCE_DIR}/etc/default/irqd DESTINATION /etc/default)
endif()

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

# The .deb. Boost is linked statically by default (IRQD_STATIC_BOOST), so the programs need only
# libc, libm, libstdc++ and libgcc_s; dpkg-shlibdeps states the versions when it is installed.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME irqd)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "irqd maintainers")
set(CPACK_PACKAGE_CONTACT "irqd maintainers <maintainers@users.noreply.b-seed-c2561173.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "watch where hardware interrupts land and balance them across CPUs")
set(CPACK_PACKAGE_DESCRIPTION
    "irqd samples /proc/interrupts, keeps a history of interrupt rates per IRQ and CPU, serves\n"
    "it over an HTTP/JSON and WebSocket API on 127.0.0.1:8080 and sets IRQ affinities through\n"
    "/proc/irq. irqctl is its command-line client.")
string(JOIN "" CPACK_PACKAGE_DESCRIPTION ${CPACK_PACKAGE_DESCRIPTION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
find_program(IRQD_DPKG_SHLIBDEPS dpkg-shlibdeps)
find_program(IRQD_FILE file)
if(IRQD_DPKG_SHLIBDEPS AND IRQD_FILE)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  # What dpkg-shlibdeps says on Debian 12, rounded up to the build's own gcc 12 and glibc 2.36.
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6 (>= 2.36), libgcc-s1 (>= 12), libstdc++6 (>= 12)")
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
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(STATUS "irqd .deb: configure with -DCMAKE_INSTALL_PREFIX=/usr so the compiled-in data path is "
                 "/usr/share/irqd (the daemon also finds it next to /usr/sbin, so this one still works)")
endif()
include(CPack)
