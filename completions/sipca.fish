# fish completion for sipca(1).
#
# It keeps no list of its own: it hands the words typed so far to the
# sipca being completed ("sipca __complete line WORD...") and offers what
# that binary answers, with the descriptions from its option tables.

function __sipca_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l args
    if test (count $tokens) -gt 1
        set args $tokens[2..-1]
    end
    set -l directive
    for line in ($tokens[1] __complete line $args "$cur" 2>/dev/null)
        switch $line
            case ':*'
                set directive (string sub -s 2 -- $line)
            case '*'
                printf '%s\n' $line
        end
    end
    switch "$directive"
        case file
            __fish_complete_path "$cur"
        case dir
            __fish_complete_directories "$cur"
    end
end

complete -c sipca -f -a '(__sipca_complete)'
