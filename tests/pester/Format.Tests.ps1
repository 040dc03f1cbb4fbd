# Pins the format views of the BUILT module: every output type a cmdlet declares has a concise default
# table and a list view with every property; durations read as seconds.
BeforeDiscovery {
    $script:OutputTypes = if ($env:STINGOPS_MODULE_PATH) {
        $found = & dotnet pwsh -NoProfile -NonInteractive -Command "Import-Module '$env:STINGOPS_MODULE_PATH'; (Get-Command -Module StingOps).OutputType.Name | Where-Object { `$_ -like 'StingOps.*' } | Sort-Object -Unique"
        @($found)
    }
    else { @() }
}

BeforeAll {
    if (-not $env:STINGOPS_MODULE_PATH) { throw 'STINGOPS_MODULE_PATH is not set: run the tests through ./build.ps1 Test.' }
    Import-Module $env:STINGOPS_MODULE_PATH -Force

    function script:Get-View([string] $TypeName, [string] $Control) {
        @((Get-FormatData -TypeName $TypeName -PowerShellVersion $PSVersionTable.PSVersion).FormatViewDefinition |
                Where-Object { $_.Control.GetType().Name -eq $Control })
    }
}

Describe 'Format views of <_>' -Tag 'Unit', 'Format' -ForEach $OutputTypes {
    BeforeAll {
        $script:TypeName = $_
        $script:Properties = @(([type]$TypeName).GetProperties() | ForEach-Object Name)
    }

    It 'has a table view, the first (default) view' {
        $views = @((Get-FormatData -TypeName $TypeName -PowerShellVersion $PSVersionTable.PSVersion).FormatViewDefinition)
        $views.Count | Should -BeGreaterOrEqual 2
        $views[0].Control.GetType().Name | Should -Be 'TableControl'
    }

    It 'keeps the table concise: at most 9 columns, all of them properties of the type' {
        $table = Get-View $TypeName 'TableControl'
        $headers = @($table[0].Control.Headers | ForEach-Object Label)
        $headers.Count | Should -BeLessOrEqual 9
        foreach ($h in $headers) { $Properties | Should -Contain $h }
    }

    It 'fits an 80-column terminal: no header wraps, no line is longer, long values are cut' {
        # Every property filled with a long value of its type: the widest a real row gets.
        $o = [Activator]::CreateInstance([type]$TypeName)
        foreach ($p in ([type]$TypeName).GetProperties() | Where-Object { $_.SetMethod }) {
            $t = [Nullable]::GetUnderlyingType($p.PropertyType) ?? $p.PropertyType
            $value = switch ($true) {
                ($t -eq [string]) { 'profile-sync-worker-' + ('x' * 60); break }
                ($t -eq [string[]]) { @('profile-sync-worker', 'knowledge', 'messaging', 'external-ai'); break }
                ($t -eq [int] -or $t -eq [long]) { 123456; break }
                ($t -eq [double]) { 0.98765; break }
                ($t -eq [bool]) { $false; break }
                ($t -eq [timespan]) { [timespan]::FromSeconds(1234.5); break }
                ($t -eq [datetimeoffset]) { [datetimeoffset]::Now; break }
                ($t.IsEnum) { [Enum]::GetValues($t) | Sort-Object { "$_".Length } | Select-Object -Last 1; break }
                default { $null }
            }
            if ($null -ne $value) { $p.SetValue($o, $value -as $p.PropertyType) }
        }
        $table = Get-View $TypeName 'TableControl'
        $labels = @($table[0].Control.Headers | ForEach-Object Label)
        $lines = @(($o | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() })
        # A wrapped header spills onto a second line before the dashes.
        $lines[0] -split '\s+' | Where-Object { $_ } | Should -Be $labels
        $lines[1] | Should -Match '^[- ]+$'
        foreach ($line in $lines) { $line.Length | Should -BeLessOrEqual 80 -Because "'$line' must fit 80 columns" }
    }

    It 'has a list view that shows every public property' {
        $list = Get-View $TypeName 'ListControl'
        $list.Count | Should -Be 1
        $labels = @($list[0].Control.Entries[0].Items | ForEach-Object { if ($_.Label) { $_.Label } else { $_.DisplayEntry.Value } })
        foreach ($p in $Properties) { $labels | Should -Contain $p -Because "Format-List of $TypeName must show $p" }
    }
}

Describe 'What the views show' -Tag 'Unit', 'Format' {
    It 'shows a service''s state and health in the default table' {
        $s = [StingOps.ServiceInfo]@{ Name = 'db'; State = 'Running'; Health = 'Unhealthy'; DependsOn = @('vault'); Enabled = $true }
        $lines = @(($s | Out-String -Width 200) -split "`n" | Where-Object { $_.Trim() })
        $lines[0] | Should -Match '^Name\s+State\s+Health\b'
        $lines[2] | Should -Match '^db\s+Running\s+Unhealthy\b'
        $lines[2] | Should -Match '\bvault\b'
    }

    It 'shows a Swarm stack''s service with its replicas and nodes, in the table and the list' {
        $s = [StingOps.ServiceInfo]@{ Name = 'api'; State = 'Running'; Health = 'Healthy'; DependsOn = @('db'); Enabled = $true
            Replicas = [StingOps.ReplicaCount]@{ Desired = 3; Running = 3; Healthy = 3 }; Nodes = @('node1', 'node2', 'node3') }
        $o = [psobject]::AsPSObject($s); $o.PSObject.TypeNames.Insert(0, 'StingOps.ServiceInfo#Swarm')
        $lines = @(($o | Out-String -Width 200) -split "`n" | Where-Object { $_.Trim() })
        $lines[0] | Should -Match '^Name\s+State\s+Health\s+Replicas\b'
        $lines[2] | Should -Match '^api\s+Running\s+Healthy\s+3/3/3\b'
        $lines[2] | Should -Match 'node1, node2, node3'
        $narrow = @(($o | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() })
        $narrow[0] -split '\s+' | Where-Object { $_ } | Should -Be @('Name', 'State', 'Health', 'Replicas', 'Wave', 'DependsOn', 'Nodes')
        $narrow | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
        ($o | Format-List | Out-String) | Should -Match 'Replicas\s+: 3/3/3'
        # A compose project's service shows no Replicas line.
        ([StingOps.ServiceInfo]@{ Name = 'db' } | Format-List | Out-String) | Should -Not -Match 'Replicas'
    }

    It 'shows a severity only for a check that did not pass (a passing row has no failure to rate)' {
        $rows = @([StingOps.PrerequisiteResult]@{ Check = 'DockerEngine'; Target = 'unix:///x'; Passed = $true; Severity = 'Error'; Message = 'answers' }
            [StingOps.PrerequisiteResult]@{ Check = 'DiskSpace'; Target = '/var'; Passed = $false; Severity = 'Warning'; Message = 'low' })
        $lines = @(($rows | Out-String -Width 200) -split "`n" | Where-Object { $_.Trim() })
        $lines[2] | Should -Not -Match '\bError\b'
        $lines[3] | Should -Match '\bWarning\b'
    }

    It 'shows durations as seconds in tables and lists' {
        $r = [StingOps.RestartResult]@{ Service = 'db'; Status = 'Succeeded'; Attempts = 1; Duration = [timespan]::FromMilliseconds(12345) }
        ($r | Out-String) | Should -Match '\b12\.3s\b'
        ($r | Format-List | Out-String) | Should -Match 'Duration\s+: 12\.3s'
        $m = [StingOps.RestartMetricSummary]@{ Service = '*'; Restarts = 2; Succeeded = 2; SuccessRate = 1.0
            Mean = [timespan]::FromSeconds(4); P50 = [timespan]::FromSeconds(3); P95 = [timespan]::FromSeconds(5); Max = [timespan]::FromSeconds(65) }
        $text = $m | Out-String
        $text | Should -Match '\b65\.0s\b'
        $text | Should -Not -Match '00:01:05'
        ([StingOps.RestartPlanStep]@{ Service = 'db'; Timeout = [timespan]::FromSeconds(90) } | Out-String) | Should -Match '\b90s\b'
    }

    It 'shows the outcomes of Start, Stop and Repair in the default table, without a duration where nothing became ready after a start' {
        $results = @(
            [StingOps.RestartResult]@{ Service = 'db'; Status = 'AlreadyRunning'; Message = 'running and ready: left alone' }
            [StingOps.RestartResult]@{ Service = 'app'; Status = 'Started'; Attempts = 1; Duration = [timespan]::FromMilliseconds(2500); Message = 'ready' }
            [StingOps.RestartResult]@{ Service = 'web'; Status = 'Stopped'; Message = 'already stopped' }
        )
        $lines = @(($results | Out-String -Width 200) -split "`n" | Where-Object { $_.Trim() })
        $lines[0] | Should -Match '^Service\s+Status\s+FailureReason\s+Duration\s+Message'
        $lines | Where-Object { $_ -match '^db\s' } | Should -Match '^db\s+AlreadyRunning\s+None\s+running and ready: left alone\s*$'
        $lines | Where-Object { $_ -match '^app\s' } | Should -Match '^app\s+Started\s+None\s+2\.5s\s+ready\s*$'
        $lines | Where-Object { $_ -match '^web\s' } | Should -Match '^web\s+Stopped\s+None\s+already stopped\s*$'
        ($results[0] | Format-List | Out-String) | Should -Match '(?m)^Status\s+: AlreadyRunning\s*$'
        ($results[0] | Format-List | Out-String) | Should -Match '(?m)^Duration\s+:\s*$'
    }

    It 'cuts a long message in the table and shows it whole, with the diagnostics, in Format-List' {
        $message = 'not ready within 6s (docker health: unhealthy) after 3 attempts, rolled back to the previous container'
        $r = [StingOps.RestartResult]@{ Service = 'knowledge'; Status = 'Failed'; FailureReason = 'Timeout'; Attempts = 3
            Duration = [timespan]::FromSeconds(6.2); Message = $message; Diagnostics = "last health check: wget: can't connect`nlast log lines:`n  listening on :18008" }
        $table = $r | Out-String -Width 80
        $table | Should -Match 'knowledge\s+Failed\s+Timeout\s+6\.2s\s+not ready within 6s.*…'
        $table | Should -Not -Match 'last log lines'
        $list = $r | Format-List | Out-String -Width 80
        ($list -replace '\s+', ' ') | Should -Match ([regex]::Escape($message))
        $list | Should -Match 'Diagnostics\s+: last health check: wget'
        $list | Should -Match 'listening on :18008'
    }

    It 'leaves a duration empty, not 0s, when there is none' {
        $r = [StingOps.RestartResult]@{ Service = 'app'; Status = 'Skipped'; FailureReason = 'Dependency' }
        ($r | Format-List | Out-String) | Should -Match '(?m)^Duration\s+:\s*$'
    }
}
