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
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W '-h --help -V --version' -- "$cur"))
        else
            COMPREPLY=($(compgen -W 'create info verify extract ls cat help version' -- "$cur"))
        fi
        return
    fi
    case ${before[1]} in
    help)
        [[ ${#before[@]} -eq 2 ]] && COMPREPLY=($(compgen -W 'create info verify extract ls cat' -- "$cur"))
        return ;;
    create)
        case $prev in
        -b|--block-size) COMPREPLY=(); compopt +o default 2>/dev/null; return ;;
        -c|--codec)
            COMPREPLY=($(compgen -W 'zlib bzip2 store' -- "$cur"))
            return ;;
        -l|--level)
            COMPREPLY=($(compgen -W '1 2 3 4 5 6 7 8 9' -- "$cur"))
            return ;;
        --split) COMPREPLY=(); compopt +o default 2>/dev/null; return ;;
        --aes)
            COMPREPLY=($(compgen -W '128 192 256' -- "$cur"))
            return ;;
        -j|--jobs) COMPREPLY=(); compopt +o default 2>/dev/null; return ;;
        --password) COMPREPLY=(); compopt +o default 2>/dev/null; return ;;
        --passfile) return ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W '-f --force -b --block-size -c --codec -l --level --split --aes --zero-chunks -j --jobs --password --passfile -h --help -V --version' -- "$cur"))
        fi
        ;;
    info)
        case $prev in
        --fs)
            COMPREPLY=($(compgen -W 'auto udf iso9660' -- "$cur"))
            return ;;
        --password) COMPREPLY=(); compopt +o default 2>/dev/null; return ;;
        --passfile) return ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W '--json --fs --password --passfile -h --help -V --version' -- "$cur"))
        fi
        ;;
    verify)
        case $prev in
        --password) COMPREPLY=(); compopt +o default 2>/dev/null; return ;;
        --passfile) return ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W '--password --passfile -h --help -V --version' -- "$cur"))
        fi
        ;;
    extract)
        case $prev in
        --files) return ;;
        -j|--jobs) COMPREPLY=(); compopt +o default 2>/dev/null; return ;;
        --password) COMPREPLY=(); compopt +o default 2>/dev/null; return ;;
        --passfile) return ;;
        --fs)
            COMPREPLY=($(compgen -W 'auto udf iso9660' -- "$cur"))
            return ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W '--files -f --force -j --jobs -p --preserve-setid --password --passfile --fs --norock --nojoliet -h --help -V --version' -- "$cur"))
        fi
        ;;
    ls)
        case $prev in
        --password) COMPREPLY=(); compopt +o default 2>/dev/null; return ;;
        --passfile) return ;;
        --fs)
            COMPREPLY=($(compgen -W 'auto udf iso9660' -- "$cur"))
            return ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W '-l --long -R --recursive --password --passfile --fs --norock --nojoliet -h --help -V --version' -- "$cur"))
        fi
        ;;
    cat)
        case $prev in
        --password) COMPREPLY=(); compopt +o default 2>/dev/null; return ;;
        --passfile) return ;;
        --fs)
            COMPREPLY=($(compgen -W 'auto udf iso9660' -- "$cur"))
            return ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W '--password --passfile --fs --norock --nojoliet -h --help -V --version' -- "$cur"))
        fi
        ;;
    *) return ;;
    esac
}
complete -o default -F _isz isz
