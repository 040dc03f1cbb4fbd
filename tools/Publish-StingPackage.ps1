<#
.SYNOPSIS
    Packs the built module as the .nupkg that PowerShell repositories serve, with Publish-PSResource into a local
    file repository folder, and writes the package's path.
.DESCRIPTION
    Publish-PSResource (Microsoft.PowerShell.PSResourceGet, shipped with pwsh 7.4+) publishes only to a registered
    repository. So that the user's own repositories are neither read nor changed, the publishing runs in a child pwsh
    whose PSResourceGet store is a temporary folder (XDG_DATA_HOME, where PSResourceGet keeps
    PSResourceRepository.xml on Linux): a repository is registered there for the folder -RepositoryPath, the module
    is published into it, it is unregistered, and the temporary store is removed.
    The package holds the module folder as it was built (the cmdlets assembly, Dependencies/, the format file,
    en-US help, LICENSE) and nothing else: the module folder is build output, with no bin/ or obj/.
    A package of the same version already in the folder is replaced.
    Used by build.ps1 Package and by tests/pester/Package.Tests.ps1.
.EXAMPLE
    ./tools/Publish-StingPackage.ps1 -ModulePath ./module/StingOps -RepositoryPath ./out/repository
#>
[CmdletBinding()]
[OutputType([string])]
param(
    # The built module folder (named after the module, with its manifest), or its manifest.
    [Parameter(Mandatory)] [string] $ModulePath,
    # The local file repository folder the .nupkg is written to (created if missing).
    [Parameter(Mandatory)] [string] $RepositoryPath,
    # Internal: this is the child pwsh, whose PSResourceGet store is already a temporary one.
    [switch] $InIsolatedStore
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$ProgressPreference = 'SilentlyContinue'

$moduleDir = (Resolve-Path -LiteralPath $ModulePath).Path
if (Test-Path -LiteralPath $moduleDir -PathType Leaf) { $moduleDir = Split-Path $moduleDir }
$name = Split-Path $moduleDir -Leaf
$manifestPath = Join-Path $moduleDir "$name.psd1"
if (-not (Test-Path -LiteralPath $manifestPath)) {
    throw "$moduleDir is not a built module folder: Publish-PSResource needs the folder named after the module, with $name.psd1 in it."
}
$version = (Import-PowerShellDataFile -LiteralPath $manifestPath).ModuleVersion
$repository = (New-Item -ItemType Directory -Path $RepositoryPath -Force).FullName

function Get-Package {
    @(Get-ChildItem -LiteralPath $repository -File | Where-Object Name -like "$name.$version.nupkg")
}

if ($InIsolatedStore) {
    $repoName = 'StingOpsPackage-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    Register-PSResourceRepository -Name $repoName -Uri $repository -Trusted
    try {
        Publish-PSResource -Path $moduleDir -Repository $repoName
    }
    finally {
        Unregister-PSResourceRepository -Name $repoName
    }
    return
}

foreach ($old in Get-Package) { Remove-Item -LiteralPath $old.FullName -Force }

# The same pwsh as this one: under `dotnet pwsh` (the repository's tool) the process is dotnet running pwsh.dll.
$process = [Environment]::ProcessPath
$pwsh = if ((Split-Path $process -LeafBase) -eq 'dotnet') { @($process, (Join-Path $PSHOME 'pwsh.dll')) } else { @($process) }

# The store folder must exist: .NET gives PSResourceGet an empty LocalApplicationData for a missing one, and the store
# then lands relative to the working directory (./PSResourceGet). The child also works in that folder, so that
# anything else written relative to it (NuGet/ when the config folder is missing) goes with it.
$store = Join-Path ([IO.Path]::GetTempPath()) ('stingops-psresourceget-' + [guid]::NewGuid().ToString('N'))
New-Item -ItemType Directory -Path $store | Out-Null
$savedXdg = $env:XDG_DATA_HOME
Push-Location -LiteralPath $store
try {
    $env:XDG_DATA_HOME = $store
    $output = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $PSCommandPath `
        -ModulePath $moduleDir -RepositoryPath $repository -InIsolatedStore 2>&1
    $exit = $LASTEXITCODE
}
finally {
    Pop-Location
    $env:XDG_DATA_HOME = $savedXdg
    Remove-Item -LiteralPath $store -Recurse -Force -ErrorAction SilentlyContinue
}
$package = @(Get-Package)
if ($exit -ne 0 -or $package.Count -ne 1) {
    throw "Publish-PSResource of $moduleDir into $repository failed (exit $exit): $($output -join "`n")"
}
$package[0].FullName
