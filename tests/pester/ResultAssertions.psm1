# Assertions on what a StingOps cmdlet returned. Filtering out the good results and expecting nothing left
# passes when nothing came back at all; these check what came back first.

function Assert-StingRestartSucceeded {
    <#
    .SYNOPSIS
        Every one of -Service reported exactly one result, no other service did, and each is Succeeded.
    #>
    param(
        [Parameter(Mandatory)][AllowNull()][AllowEmptyCollection()] $Results,
        [Parameter(Mandatory)][string[]] $Service
    )
    $all = @($Results)
    $all.Count | Should -BeGreaterThan 0 -Because 'a run that reports nothing proves nothing'
    @($all.Service | Sort-Object) | Should -Be @($Service | Sort-Object -Unique) -Because 'each planned service reports exactly one result'
    foreach ($r in $all) {
        "$($r.Service): $($r.Status)" | Should -Be "$($r.Service): Succeeded" -Because "$($r.FailureReason): $($r.Message)"
    }
}

Export-ModuleMember -Function Assert-StingRestartSucceeded
