@{
    Synopsis     = 'Validates env files as Docker Compose reads them, without ever showing a value.'
    Description  = @(
        @'
Test-StingEnvironmentFile parses the given env files with Docker Compose's rules (NAME=value,
export NAME=value, NAME: value, single and double quotes spanning lines, comments, bare NAME inherited
from the environment) and returns one StingOps.EnvironmentFileFinding per problem. No output means the
files are valid. The files are read together, as a service's env_file list is: later files override
earlier ones, and -RequiredKey is satisfied when any of them sets the key.
'@
        @'
Problem codes (Problem is "Code: sentence"; match on Code): Error FileNotFound, FileUnreadable,
UnsupportedEncoding (UTF-16/UTF-32, as Windows PowerShell 5.1 writes by default), NotAnAssignment,
InvalidKey, UnterminatedQuote, TrailingContent, BareKeyWithoutNewline, MissingRequiredKey,
EmptyRequiredKey; Warning NonPortableKey (compose accepts the name, a shell or ${VAR} cannot use it),
DuplicateKey; Information InheritedKey.
'@
        @'
A finding carries the file, the line (0 for the whole file), the key when it is a well-formed name that
is safe to show, and the problem. It never carries a value, on any stream: text that may be a misplaced
value (an unquoted certificate body, a password on a line of its own) is not echoed, not even as a key.
'@
    )
    Parameters   = @{
        Path        = 'The env files to check, in the order compose would read them. Wildcards list the existing files that match; a literal path that does not exist is reported as a FileNotFound finding rather than an error. Accepts pipeline input by value and by property name (FullName, PSPath), so Get-ChildItem output can be piped in; everything piped in is checked together.'
        RequiredKey = 'Variable names that must be set to a non-empty value in at least one of the files. A name set in none is a MissingRequiredKey finding; a name whose effective (last) value is empty is an EmptyRequiredKey finding pointing at that line.'
    }
    Inputs       = @(
        @{ Type = 'System.String'; Description = 'Paths, bound to -Path.' }
        @{ Type = 'System.IO.FileInfo'; Description = 'Files (for example from Get-ChildItem), bound to -Path through their FullName or PSPath property.' }
    )
    Outputs      = @(
        @{ Type = 'StingOps.EnvironmentFileFinding'; Description = 'One per problem: Path, Line (0 = whole file), Key (only when safe to show), Problem ("Code: sentence"), Code and Severity (Error, Warning, Information). Never a value.' }
    )
    Notes        = @(
        'This cmdlet does not read a compose project; Test-StingPrerequisite runs the same validation over the env_file entries of a project''s services, with the required_env keys of config.yml.'
        'Use -Verbose to see how many files were checked and how many errors were found.'
    )
    Examples     = @(
        @{
            Title   = 'Check the STING env files before a restart'
            Code    = @'
Test-StingEnvironmentFile -Path /opt/sting/env/*.env | Format-Table Severity, Path, Line, Key, Problem -Wrap
'@
            Remarks = 'Validates every .env file in /opt/sting/env and prints one line per finding; an empty result means all files are valid.'
        }
        @{
            Title   = 'Make sure the secrets a service needs are set'
            Code    = @'
Test-StingEnvironmentFile ./env/common.env, ./env/kratos.env -RequiredKey DSN, SECRETS_COOKIE, SECRETS_CIPHER |
    Where-Object Severity -eq 'Error'
'@
            Remarks = 'Reads the two files as kratos''s env_file list reads them (kratos.env overriding common.env) and reports each required key that is missing or empty, without printing any value.'
        }
        @{
            Title   = 'Fail a deployment pipeline on invalid env files'
            Code    = @'
$errors = Get-ChildItem ./deploy -Recurse -Filter *.env | Test-StingEnvironmentFile | Where-Object Severity -eq 'Error'
if ($errors) { $errors | ForEach-Object { Write-Error $_.ToString() }; exit 1 }
'@
            Remarks = 'Pipes every .env file of the repository in; each error is printed as path:line: Code: sentence, safe for CI logs, and the job fails.'
        }
    )
    RelatedLinks = @('Test-StingPrerequisite', 'Restart-StingService', 'about_StingOps')
}
