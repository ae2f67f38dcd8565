# Run at install time: adds the line LINE to the ParaView configuration file CONF (created if
# missing), unless it is there already. ParaView reads <its executable's directory>/paraview.conf,
# one plugins XML file per line, relative to that directory; another package's lines are kept.
set(conf "$ENV{DESTDIR}${CONF}")
set(lines "")
if (EXISTS "${conf}")
  file(STRINGS "${conf}" lines)
endif ()
list(FIND lines "${LINE}" found)
if (found EQUAL -1)
  message(STATUS "Adding ${LINE} to: ${conf}")
  file(APPEND "${conf}" "${LINE}\n")
else ()
  message(STATUS "Up-to-date: ${conf} lists ${LINE}")
endif ()
