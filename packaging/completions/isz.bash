# bash completion for isz: generated from internal/manual by "go generate ./internal/manual"; do not edit.

# The word being completed is taken from COMP_LINE up to the cursor, not
# from COMP_WORDS, which readline splits at "=" and ":" as well.
_isz() {
    local line=${COMP_LINE:0:COMP_POINT} cur prev
    cur=${line##*[[:space:]]}
    local -a before
    read -ra before <<<"${line%"$cur"}"
    prev=${before[${#before[@]}-1]}
    COMPREPLY=()
    if [[ ${#before[@]} -le 1 ]]; then
        COMPREPLY=($(compgen -W 'create info verify extract ls cat help version' -- "$cur"))
        return
    fi
    case ${before[1]} in
    help)
        [[ ${#before[@]} -eq 2 ]] && COMPREPLY=($(compgen -W 'create info verify extract ls cat' -- "$cur"))
        return ;;
    create)
        case $prev in
        -b) COMPREPLY=(); compopt +o default 2>/dev/null; return ;;
        -c)
            COMPREPLY=($(compgen -W 'zlib bzip2 store' -- "$cur"))
            return ;;
        -l)
            COMPREPLY=($(compgen -W '1 2 3 4 5 6 7 8 9' -- "$cur"))
            return ;;
        --split) COMPREPLY=(); compopt +o default 2>/dev/null; return ;;
        --aes)
            COMPREPLY=($(compgen -W '128 192 256' -- "$cur"))
            return ;;
        -j) COMPREPLY=(); compopt +o default 2>/dev/null; return ;;
        --password) COMPREPLY=(); compopt +o default 2>/dev/null; return ;;
        --passfile) return ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W '-b -c -l --split --aes --zero-chunks -j --password --passfile' -- "$cur"))
        fi
        ;;
    info)
        case $prev in
        --password) COMPREPLY=(); compopt +o default 2>/dev/null; return ;;
        --passfile) return ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W '--password --passfile' -- "$cur"))
        fi
        ;;
    verify)
        case $prev in
        --password) COMPREPLY=(); compopt +o default 2>/dev/null; return ;;
        --passfile) return ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W '--password --passfile' -- "$cur"))
        fi
        ;;
    extract)
        case $prev in
        --files) return ;;
        -j) COMPREPLY=(); compopt +o default 2>/dev/null; return ;;
        --password) COMPREPLY=(); compopt +o default 2>/dev/null; return ;;
        --passfile) return ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W '--files -j -p --password --passfile --norock --nojoliet' -- "$cur"))
        fi
        ;;
    ls)
        case $prev in
        --password) COMPREPLY=(); compopt +o default 2>/dev/null; return ;;
        --passfile) return ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W '-l -R --password --passfile --norock --nojoliet' -- "$cur"))
        fi
        ;;
    cat)
        case $prev in
        --password) COMPREPLY=(); compopt +o default 2>/dev/null; return ;;
        --passfile) return ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W '--password --passfile --norock --nojoliet' -- "$cur"))
        fi
        ;;
    *) return ;;
    esac
}
complete -o default -F _isz isz
