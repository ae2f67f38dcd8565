# Run with cmake -P after ParaView generated the plugin's help pages, before it compiles them into
# the plugin (Scipar.qch): the "Default(s)" column shows an array selection's default as the XML
# writes it, "0;0;0;0;ClusterId" (index, port, connection, association, name); it shows the name.
# Usage: cmake -Dhelp_dir=<paraview_help> -P ReadableHelpDefaults.cmake
file(GLOB pages "${help_dir}/*.html")
set(changed FALSE)
foreach (page IN LISTS pages)
  file(READ "${page}" text)
  string(REGEX REPLACE "<td>[0-9]+;[0-9]+;[0-9]+;[0-9]+;([^<;]*)<span" "<td>\\1<span" readable "${text}")
  if (NOT readable STREQUAL text)
    file(WRITE "${page}" "${readable}")
    set(changed TRUE)
  endif ()
endforeach ()
# ParaView compiles the help only when its file is missing: a page changed, it is compiled again.
if (changed)
  file(REMOVE "${help_dir}/Scipar.qch")
endif ()
