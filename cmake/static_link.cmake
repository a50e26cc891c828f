# irqd and irqctl as static binaries (IRQD_STATIC, on by default): glibc, libstdc++, libgcc and
# Boost are linked in and the programs have no NEEDED entry, so one build runs on every Linux from
# kernel 3.2 (static glibc 2.36's floor) up: Ubuntu 14.04's glibc 2.19 is never asked for anything.
# Include it after the irqd and irqctl targets. Tests, benches and fuzzers stay dynamic.
#
# static-pie where the toolchain has it (gcc 8+, glibc 2.27+): the programs keep ASLR of their own
# code, as a PIE does. Debian's gcc builds PIE objects by default; the targets ask for it anyway.
#
# The linker's warnings about static glibc, and why each is harmless here (docs/install.md):
#  - getaddrinfo (irqctl; Asio's tcp::resolver): "requires at runtime the shared libraries from the
#    glibc version used for linking". irqctl resolves numeric addresses and "localhost" itself and
#    calls getaddrinfo only for other names (src/client/http_client.cpp); there, without the same
#    glibc's libnss_*.so, it fails and irqctl says so on one line.
#  - irqd has no getaddrinfo: --listen takes numeric addresses only (service/http_server.cpp).
if(NOT IRQD_STATIC)
  return()
endif()
include(CheckLinkerFlag)
check_linker_flag(CXX -static-pie IRQD_HAS_STATIC_PIE)
if(IRQD_HAS_STATIC_PIE)
  set(irqd_static_flag -static-pie)
else()
  set(irqd_static_flag -static)
endif()
message(STATUS "irqd, irqctl: linked with ${irqd_static_flag} (IRQD_STATIC=OFF for dynamic programs)")
foreach(program irqd irqctl)
  if(TARGET ${program})
    target_link_options(${program} PRIVATE ${irqd_static_flag})
  endif()
endforeach()
# irqctl's look-up of host names uses only the name sources linked into the static glibc.
target_compile_definitions(irqd_client PRIVATE IRQD_STATIC_LIBC=1)
