@{
    RootModule           = 'StingOps.dll'
    # The one place the version lives: build.ps1 stamps it into the assemblies.
    ModuleVersion        = '0.1.0'
    GUID                 = '64cdf1fe-7eb3-4bb3-a205-81ae709c709a'
    Author               = 'StingOps developers'
    CompanyName          = 'StingOps'
    Copyright            = '(c) 2026 StingOps developers. MIT License (LICENSE).'
    Description          = 'Dependency-ordered, health-gated, rollback-capable restarts of Docker Compose applications (the STING stack first, any compose project in general).'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    CmdletsToExport      = @(
        'Get-StingService'
        'Get-StingRestartPlan'
        'Restart-StingService'
        'Start-StingService'
        'Stop-StingService'
        'Repair-StingService'
        'Wait-StingService'
        'Get-StingRestartMetric'
        'Test-StingRestartAlert'
        'Export-StingRestartMetric'
        'Test-StingPrerequisite'
        'Test-StingEnvironmentFile'
        'ConvertTo-StingGraph'
        'Export-StingRestartReport'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    FormatsToProcess     = @('StingOps.format.ps1xml')
    PrivateData          = @{
        PSData = @{
            Tags         = @('Docker', 'Compose', 'Restart', 'Health', 'Operations', 'STING', 'Linux', 'PSEdition_Core')
            # Left empty here: build.ps1 writes the newest entry of README.md's "## Changelog" into the built copy
            # (module/StingOps/StingOps.psd1), so the source is never edited by hand for a release.
            ReleaseNotes = ''
            # No LicenseUri or ProjectUri: the project has no public address yet. The licence ships as LICENSE in
            # the module folder (and so in the package).
        }
    }
}
