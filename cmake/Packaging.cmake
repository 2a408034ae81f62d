# Debian package: `cpack -G DEB` in a build folder writes fabricperf_<version>_amd64.deb with
#   /usr/bin/fp_*                          the nine tools (fabricperf_tool's install rule)
#   /usr/share/fabricperf/*.schema.json    the result document schemas
#   /usr/share/man/man1/fp_*.1.gz          one man page per tool, made by help2man from --help
#                                          at build time (so it never drifts from the options)
#   /usr/share/doc/fabricperf/             copyright, changelog.gz (a native package)
# Depends are computed by dpkg-shlibdeps (dpkg-dev) from the binaries' NEEDED libraries.
# The QEMU testbed is not packaged: it is the project's own CI harness (boots VMs with
# Soft-RoCE to emulate a cluster), not something a cluster node runs.
#
# CUDA and NCCL at run time: the CUDA runtime is linked statically and loads libcuda.so.1 itself
# (fp_gdr/fp_coll/fp_suite start without the driver), so only NCCL can be a shared library
# dependency. A build without NCCL (FABRICPERF_WITH_NCCL=OFF, or no NCCL found) makes the
# package "fabricperf", which installs on any Debian 12 machine. A build linking NCCL makes
# "fabricperf-nccl" (Provides/Conflicts/Replaces fabricperf): shlibdeps adds NVIDIA's libnccl2
# to its Depends, which is right on GPU nodes and wrong elsewhere — hence two flavours of one
# package rather than one package with a hard NCCL dependency.

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME fabricperf)
if(FABRICPERF_HAVE_NCCL)
  set(CPACK_PACKAGE_NAME fabricperf-nccl)
  set(CPACK_DEBIAN_PACKAGE_PROVIDES fabricperf)
  set(CPACK_DEBIAN_PACKAGE_CONFLICTS fabricperf)
  set(CPACK_DEBIAN_PACKAGE_REPLACES fabricperf)
endif()
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "fabricperf")
set(CPACK_PACKAGE_CONTACT "fabricperf maintainers <fabricperf@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "RDMA fabric acceptance suite for GPU clusters")
# The synopsis is CPACK_PACKAGE_DESCRIPTION_SUMMARY; this is the extended description only.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "fabricperf measures and judges an RDMA fabric end to end: verbs bandwidth and\n\
latency between every pair of nodes on every rail (perftest-compatible),\n\
GPUDirect RDMA, collectives in nccl-tests' terms, GPU x NIC topology, and\n\
fabric stress. Every tool writes one JSON result document; fp_report compares\n\
runs, renders an HTML report and exports Prometheus metrics.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # <name>_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
# Directories owned by other packages (/usr, /usr/bin, ...) get dpkg's usual 0755 root:root.
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

# The schemas the documents name.
file(GLOB fabricperf_schemas ${PROJECT_SOURCE_DIR}/results/schema/*.schema.json)
install(FILES ${fabricperf_schemas} DESTINATION share/fabricperf)

# copyright and a Debian changelog (gzip -n: no timestamp, reproducible).
set(fabricperf_doc ${PROJECT_BINARY_DIR}/package-doc)
string(TIMESTAMP fabricperf_date "%a, %d %b %Y %H:%M:%S +0000" UTC)
file(WRITE ${fabricperf_doc}/changelog
     "${CPACK_PACKAGE_NAME} (${PROJECT_VERSION}) unstable; urgency=medium\n\n"
     "  * Package built from the fabricperf source tree with cpack -G DEB.\n\n"
     " -- ${CPACK_PACKAGE_CONTACT}  ${fabricperf_date}\n")
install(FILES ${PROJECT_SOURCE_DIR}/cmake/debian/copyright DESTINATION share/doc/${CPACK_PACKAGE_NAME})
install(FILES ${PROJECT_SOURCE_DIR}/cmake/debian/lintian-overrides DESTINATION share/lintian/overrides
        RENAME ${CPACK_PACKAGE_NAME})

# Man pages from --help, at build time (target fabricperf_man, part of `all` when help2man exists).
find_program(FABRICPERF_HELP2MAN help2man)
find_program(FABRICPERF_GZIP gzip)
get_property(fabricperf_tools GLOBAL PROPERTY FABRICPERF_TOOLS)
# NAME line of each page: "fp_bw - <what it does>".
set(fabricperf_what_fp_bw "RDMA bandwidth between two hosts, perftest-compatible")
set(fabricperf_what_fp_lat "RDMA latency between two hosts, perftest-compatible")
set(fabricperf_what_fp_gdr "GPUDirect RDMA bandwidth per GPU-NIC pair")
set(fabricperf_what_fp_coll "collective benchmarks in nccl-tests' terms")
set(fabricperf_what_fp_topo "GPU x NIC topology and its checks")
set(fabricperf_what_fp_info "this host's fingerprint: kernel, rdma-core, RDMA ports, drivers")
set(fabricperf_what_fp_suite "validate an RDMA fabric end to end as one job")
set(fabricperf_what_fp_sizing "how many GPU servers a model needs and what crosses the fabric")
set(fabricperf_what_fp_report "compare, export, render, validate and merge result documents")
if(FABRICPERF_HELP2MAN AND FABRICPERF_GZIP)
  set(fabricperf_pages)
  foreach(tool ${fabricperf_tools})
    set(page ${PROJECT_BINARY_DIR}/man/${tool}.1)
    add_custom_command(
      OUTPUT ${page}.gz
      COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
      COMMAND ${FABRICPERF_HELP2MAN} --no-info --no-discard-stderr --section 1
              --version-string ${PROJECT_VERSION} --name "${fabricperf_what_${tool}}"
              --output ${page} $<TARGET_FILE:${tool}>
      COMMAND ${FABRICPERF_GZIP} -9nf ${page}
      DEPENDS ${tool}
      COMMENT "help2man ${tool}"
      VERBATIM)
    list(APPEND fabricperf_pages ${page}.gz)
  endforeach()
  add_custom_command(
    OUTPUT ${fabricperf_doc}/changelog.gz
    COMMAND ${FABRICPERF_GZIP} -9nkf ${fabricperf_doc}/changelog
    DEPENDS ${fabricperf_doc}/changelog
    VERBATIM)
  add_custom_target(fabricperf_man ALL DEPENDS ${fabricperf_pages} ${fabricperf_doc}/changelog.gz)
  install(FILES ${fabricperf_pages} DESTINATION share/man/man1)
  install(FILES ${fabricperf_doc}/changelog.gz DESTINATION share/doc/${CPACK_PACKAGE_NAME})
  fabricperf_note("Package" ON "cpack -G DEB -> ${CPACK_PACKAGE_NAME}_${PROJECT_VERSION}_<arch>.deb")
else()
  fabricperf_note("Package" OFF "help2man or gzip not found (Debian: help2man): no man pages, no package")
endif()

include(CPack)
