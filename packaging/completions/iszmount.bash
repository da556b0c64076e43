# bash completion for iszmount: generated from internal/manual by "go generate ./internal/manual"; do not edit.

# The word being completed is taken from COMP_LINE up to the cursor, not
# from COMP_WORDS, which readline splits at "=" and ":" as well.
_iszmount() {
    local line=${COMP_LINE:0:COMP_POINT} cur prev
    cur=${line##*[[:space:]]}
    local -a before
    read -ra before <<<"${line%"$cur"}"
    prev=${before[${#before[@]}-1]}
    COMPREPLY=()
    case $prev in
    -o|--options)
        __iszmount_options
        return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W '-f --foreground -d --debug -s -o --options --open -u --unmount -h --help -V --version' -- "$cur"))
    fi
}
complete -o default -F _iszmount iszmount

# __iszmount_options completes the last item of an -o list: option names,
# then the values of mode=, passfile= and logfile=.
__iszmount_options() {
    local head= item=$cur
    if [[ $cur == *,* ]]; then head=${cur%,*},; item=${cur##*,}; fi
    case $item in
    mode=*) COMPREPLY=($(compgen -P "${head}mode=" -W 'tree raw' -- "${item#*=}")) ;;
    fs=*) COMPREPLY=($(compgen -P "${head}fs=" -W 'auto udf iso9660' -- "${item#*=}")) ;;
    passfile=*) COMPREPLY=($(compgen -P "${head}passfile=" -f -- "${item#*=}")) ;;
    logfile=*) COMPREPLY=($(compgen -P "${head}logfile=" -f -- "${item#*=}")) ;;
    *=*) ;;
    *)
        COMPREPLY=($(compgen -P "$head" -W 'mode= fs= cache= passfile= password= norock nojoliet idle= verify logfile= auto_unmount debug allow_other allow_root uid= gid= umask= fmask= dmask= fsname= subtype= noexec ro rw' -- "$item"))
        compopt -o nospace 2>/dev/null ;;
    esac
    # readline replaces only the part after the last "=" or ":" of the word.
    local pre=${cur%"${cur##*[=:]}"}
    [[ -n $pre ]] && COMPREPLY=("${COMPREPLY[@]#"$pre"}")
}
