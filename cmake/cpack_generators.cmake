# Read by cpack once per generator (CPACK_PROJECT_CONFIG_FILE in cmake/install.cmake): what differs
# between the .deb, the RPM and the .tar.gz.
if(CPACK_GENERATOR STREQUAL "TGZ")
  # Paths from /, as the .deb lays them out (/usr/sbin/irqd, /etc/irqd/irqd.conf, ...).
  set(CPACK_SET_DESTDIR ON)
  set(CPACK_INSTALL_PREFIX /usr)
  set(CPACK_INCLUDE_TOPLEVEL_DIRECTORY OFF)
  set(CPACK_PACKAGE_FILE_NAME "irqd-${CPACK_PACKAGE_VERSION}-Linux-${CPACK_IRQD_ARCH}")
endif()
if(CPACK_GENERATOR STREQUAL "RPM")
  # No upstart job or SysV script (component sysv): RHEL 7 and later boot with systemd.
  list(GET CPACK_INSTALL_CMAKE_PROJECTS 0 build_dir)
  set(CPACK_INSTALL_CMAKE_PROJECTS "${build_dir};irqd;Unspecified;/")
endif()
