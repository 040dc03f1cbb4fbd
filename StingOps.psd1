@{
    RootModule           = 'StingOps.dll'
    # The one place the version lives: build.ps1 stamps it into the assemblies.
    ModuleVersion        = '0.1.0'
    GUID                 = '64cdf1fe-7eb3-4bb3-a205-81ae709c709a'
    Author               = 'StingOps developers'
    CompanyName          = 'StingOps'
    Copyright            = '(c) StingOps developers. MIT licence.'
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
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    FormatsToProcess     = @('StingOps.format.ps1xml')
    PrivateData          = @{
        PSData = @{
            Tags = @('Docker', 'Compose', 'Restart', 'Health', 'Operations', 'STING', 'Linux')
        }
    }
}
