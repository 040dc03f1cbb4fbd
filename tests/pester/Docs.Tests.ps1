# Keeps docs/ true to the BUILT module: the cmdlet reference (docs/cmdlets.md), the output types (docs/types.md),
# the error ids (docs/errors.md) and the restart configuration (docs/configuration.md). The pages are read through
# their tables with fixed header rows (docs/cmdlets.md says which); the module through Get-Command and reflection.
BeforeDiscovery {
    $docs = Join-Path $PSScriptRoot '../../docs'
    $script:CmdletNames = if ($env:STINGOPS_MODULE_PATH) { @((Import-PowerShellDataFile $env:STINGOPS_MODULE_PATH).CmdletsToExport) } else { @() }
    # The documented types, read from the page alone: discovery does not load the module.
    $script:DocumentedTypes = @(Get-Content (Join-Path $docs 'types.md') | Where-Object { $_ -match '^## (StingOps\.\S+)\s*$' } | ForEach-Object { $Matches[1] })
}

BeforeAll {
    if (-not $env:STINGOPS_MODULE_PATH) { throw 'STINGOPS_MODULE_PATH is not set: run the tests through ./build.ps1 Test.' }
    Import-Module $env:STINGOPS_MODULE_PATH -Force
    $script:DocsRoot = Join-Path $PSScriptRoot '../../docs'
    $script:ModuleDirectory = Split-Path $env:STINGOPS_MODULE_PATH
    $script:CommonParameters = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters

    # The sections of a page at one heading level ('##' or '###'): heading text -> its lines, up to the next heading
    # of that level or higher (outside ``` code blocks, where '# ' is a comment).
    function script:Get-DocSection([string] $Page, [int] $Level) {
        $sections = [ordered]@{}
        $current = $null
        $inCode = $false
        foreach ($line in Get-Content (Join-Path $DocsRoot $Page)) {
            if ($line -match '^\s*```') { $inCode = -not $inCode }
            if (-not $inCode -and $line -match '^(#+) (.+?)\s*$' -and $Matches[1].Length -le $Level) {
                $current = if ($Matches[1].Length -eq $Level) { $Matches[2] } else { $null }
                if ($current) { $sections[$current] = [System.Collections.Generic.List[string]]::new() }
                continue
            }
            if ($current) { $sections[$current].Add($line) }
        }
        $sections
    }

    # The rows of the table under the header row $Header (columns as written there) in $Lines, one object per row;
    # cells trimmed, `code` marks around a whole cell removed, \| unescaped. Nothing when there is no such table.
    function script:Get-DocTable([string[]] $Lines, [string] $Header) {
        $columns = @($Header.Trim().Trim('|').Split('|') | ForEach-Object { $_.Trim() })
        $normalized = { param($l) ($l.Trim() -replace '\s*\|\s*', '|') }
        $start = [Array]::FindIndex([string[]]$Lines, [Predicate[string]] { param($l) (& $normalized $l) -eq (& $normalized $Header) })
        if ($start -lt 0) { return }
        for ($i = $start + 2; $i -lt $Lines.Count -and $Lines[$i].TrimStart().StartsWith('|'); $i++) {
            $cells = @($Lines[$i].Trim() -replace '^\|', '' -replace '(?<!\\)\|$', '' -split '(?<!\\)\|' | ForEach-Object {
                    $cell = $_.Trim() -replace '\\\|', '|'
                    if ($cell -match '^`([^`]*)`$') { $Matches[1] } else { $cell }
                })
            $row = [ordered]@{}
            for ($c = 0; $c -lt $columns.Count; $c++) { $row[$columns[$c]] = if ($c -lt $cells.Count) { $cells[$c] } else { '' } }
            [pscustomobject]$row
        }
    }

    # A type as the pages write it: string, int, switch, T[], T?, Name<A, B>, else the type's own name.
    function script:Format-DocType([type] $Type) {
        if ($Type.IsArray) { return (Format-DocType $Type.GetElementType()) + '[]' }
        $underlying = [Nullable]::GetUnderlyingType($Type)
        if ($underlying) { return (Format-DocType $underlying) + '?' }
        if ($Type.IsGenericType) {
            return ($Type.Name -replace '`\d+$', '') + '<' + (($Type.GetGenericArguments() | ForEach-Object { Format-DocType $_ }) -join ', ') + '>'
        }
        switch ($Type.FullName) {
            'System.String' { 'string' }
            'System.Int32' { 'int' }
            'System.Int64' { 'long' }
            'System.Double' { 'double' }
            'System.Boolean' { 'bool' }
            'System.Management.Automation.SwitchParameter' { 'switch' }
            default { $Type.Name }
        }
    }

    # The cmdlet's own parameters as the Parameters table describes them.
    function script:Get-ModuleParameterRow([System.Management.Automation.CommandInfo] $Command) {
        foreach ($p in $Command.Parameters.Values | Where-Object { $_.Name -notin $CommonParameters }) {
            $attributes = @($p.ParameterSets.Values)
            $positions = @($attributes | ForEach-Object Position | Sort-Object -Unique)
            $pipeline = @()
            if ($attributes | Where-Object ValueFromPipeline) { $pipeline += 'value' }
            if ($attributes | Where-Object ValueFromPipelineByPropertyName) { $pipeline += 'property name' }
            [pscustomobject]@{
                Parameter = $p.Name
                Type      = Format-DocType $p.ParameterType
                Position  = ($positions | ForEach-Object { if ($_ -lt 0) { 'named' } else { "$_" } }) -join ', '
                Pipeline  = if ($pipeline) { $pipeline -join ', ' } else { 'no' }
                Mandatory = if (@($attributes | Where-Object { -not $_.IsMandatory }).Count -eq 0) { 'yes' } else { 'no' }
                Sets      = if ($p.ParameterSets.ContainsKey('__AllParameterSets')) { 'all' } else { ($p.ParameterSets.Keys | Sort-Object) -join ', ' }
            }
        }
    }

    # "name: documented X, module Y" for every column that differs, plus the rows only one side has.
    function script:Compare-DocRow([object[]] $Documented, [object[]] $Actual, [string] $Key, [string[]] $Columns) {
        $byName = @{}
        foreach ($d in $Documented) { $byName[$d.$Key] = $d }
        foreach ($a in $Actual) {
            $d = $byName[$a.$Key]
            if (-not $d) { "$($a.$Key): not documented"; continue }
            foreach ($column in $Columns) {
                if ($d.$column -cne $a.$column) { "$($a.$Key): $column is '$($d.$column)' in the docs, '$($a.$column)' in the module" }
            }
        }
        foreach ($d in $Documented | Where-Object { $_.$Key -cnotin @($Actual.$Key) }) { "$($d.$Key): documented, but the module has none" }
    }

    $script:CmdletSections = Get-DocSection 'cmdlets.md' 2
    $script:TypeSections = Get-DocSection 'types.md' 2
    $script:EnumSections = Get-DocSection 'types.md' 3
    $script:ErrorRows = @((Get-DocSection 'errors.md' 2).Values | ForEach-Object { Get-DocTable $_ '| Error id | Category | Meaning |' })
}

Describe 'docs/cmdlets.md' -Tag 'Unit', 'Docs' {
    It 'has a section for every exported cmdlet, and a cmdlet for every section' {
        $documented = @($CmdletSections.Keys | Where-Object { $_ -match '^[A-Z][a-z]+-\w+$' } | Sort-Object)
        $exported = @(Get-Command -Module StingOps -CommandType Cmdlet | ForEach-Object Name | Sort-Object)
        $documented | Should -Be $exported
    }
}

Describe 'docs/cmdlets.md: <_>' -Tag 'Unit', 'Docs' -ForEach $CmdletNames {
    BeforeAll {
        $script:Command = Get-Command -Name $_ -Module StingOps
        $script:Section = [string[]]$CmdletSections[$_]
    }

    It 'has its section' {
        $Section | Should -Not -BeNullOrEmpty -Because "docs/cmdlets.md needs a '## $($Command.Name)' section"
    }

    It 'documents every parameter, and no other, with its type, position, pipeline binding, mandatory flag and sets' {
        $documented = @(Get-DocTable $Section '| Parameter | Type | Position | Pipeline | Mandatory | Sets | Description |')
        $documented | Should -Not -BeNullOrEmpty -Because 'the section needs its Parameters table'
        $problems = @(Compare-DocRow $documented @(Get-ModuleParameterRow $Command) 'Parameter' 'Type', 'Position', 'Pipeline', 'Mandatory', 'Sets')
        $problems | Should -BeNullOrEmpty
    }

    It 'documents a description for every parameter' {
        @(Get-DocTable $Section '| Parameter | Type | Position | Pipeline | Mandatory | Sets | Description |' |
                Where-Object { -not $_.Description } | ForEach-Object Parameter) | Should -BeNullOrEmpty
    }

    It 'documents exactly the output types of its [OutputType]' {
        $documented = @(Get-DocTable $Section '| Output type | When |' | ForEach-Object 'Output type' | Sort-Object -Unique)
        $declared = @($Command.OutputType | ForEach-Object Name | Sort-Object -Unique)
        $declared | Should -Not -BeNullOrEmpty
        $documented | Should -Be $declared
    }

    It 'has an Errors table naming only error ids that docs/errors.md documents' {
        $rows = @(Get-DocTable $Section '| Error id | Terminating | When |')
        $rows | Should -Not -BeNullOrEmpty -Because 'the section needs its Errors table (a row "none" when there are none)'
        @($rows | Where-Object { $_.Terminating -notin 'yes', 'no', '' }) | Should -BeNullOrEmpty
        $named = @($Section | Select-String '`(Sting[A-Z]\w*)`' -AllMatches -CaseSensitive | ForEach-Object { $_.Matches.Groups | Where-Object Name -eq 1 } |
                ForEach-Object Value | Where-Object { $_ -cnotmatch '^StingOps' } | Sort-Object -Unique)
        @($named | Where-Object { $_ -cnotin $ErrorRows.'Error id' }) | Should -BeNullOrEmpty
    }
}

Describe 'docs/types.md' -Tag 'Unit', 'Docs' {
    It 'documents every StingOps output type a cmdlet declares' {
        $declared = @(Get-Command -Module StingOps | ForEach-Object OutputType | ForEach-Object Name | Where-Object { $_ -like 'StingOps.*' } | Sort-Object -Unique)
        @($declared | Where-Object { $_ -notin $TypeSections.Keys }) | Should -BeNullOrEmpty
    }

    It 'documents only types that some cmdlet declares as output' {
        $declared = @(Get-Command -Module StingOps | ForEach-Object OutputType | ForEach-Object Name)
        @($TypeSections.Keys | Where-Object { $_ -like 'StingOps.*' -and $_ -notin $declared }) | Should -BeNullOrEmpty
    }

    It 'documents every enumeration of an output type property or a parameter, with exactly its values' {
        $types = @(Get-Command -Module StingOps | ForEach-Object OutputType | ForEach-Object Type | Where-Object { $_ -and $_.FullName -like 'StingOps.*' })
        $used = @($types | ForEach-Object { $_.GetProperties([Reflection.BindingFlags]'Public, Instance').PropertyType }) +
            @(Get-Command -Module StingOps | ForEach-Object { $_.Parameters.Values.ParameterType })
        $enums = @($used | ForEach-Object { $t = $_; if ($t.IsArray) { $t = $t.GetElementType() }; if ([Nullable]::GetUnderlyingType($t)) { $t = [Nullable]::GetUnderlyingType($t) }; $t } |
                Where-Object { $_.IsEnum -and $_.FullName -like 'StingOps.*' } | Sort-Object FullName -Unique)
        $enums | Should -Not -BeNullOrEmpty
        $problems = foreach ($enum in $enums) {
            $section = $EnumSections[$enum.FullName]
            if (-not $section) { "$($enum.FullName): no '### $($enum.FullName)' section"; continue }
            $documented = @(Get-DocTable ([string[]]$section) '| Value | Meaning |' | ForEach-Object Value)
            $actual = @([Enum]::GetNames($enum))
            if (($documented -join ', ') -cne ($actual -join ', ')) { "$($enum.FullName): documented $($documented -join ', '); module $($actual -join ', ')" }
        }
        @($problems) | Should -BeNullOrEmpty
    }
}

Describe 'docs/types.md: <_>' -Tag 'Unit', 'Docs' -ForEach $DocumentedTypes {
    It 'is a type of the module' {
        [StingOps.ServiceInfo].Assembly.GetType($_) | Should -Not -BeNullOrEmpty
    }

    It 'documents every public property, and no other, with its type' {
        $type = [StingOps.ServiceInfo].Assembly.GetType($_)
        $actual = @($type.GetProperties([Reflection.BindingFlags]'Public, Instance') | ForEach-Object { [pscustomobject]@{ Property = $_.Name; Type = Format-DocType $_.PropertyType } })
        $documented = @(Get-DocTable ([string[]]$TypeSections[$_]) '| Property | Type | Description |')
        $documented | Should -Not -BeNullOrEmpty -Because 'the section needs its Property table'
        $problems = @(Compare-DocRow $documented $actual 'Property' 'Type')
        $problems | Should -BeNullOrEmpty
    }
}

Describe 'docs/errors.md' -Tag 'Unit', 'Docs' {
    BeforeAll {
        # StingOps.Core sits in the module's private load context; the default context's resolver hands it out.
        $coreName = [StingOps.ServiceInfo].Assembly.GetReferencedAssemblies() | Where-Object Name -eq 'StingOps.Core'
        $core = [System.Runtime.Loader.AssemblyLoadContext]::Default.LoadFromAssemblyName($coreName)
        $errorIds = $core.GetTypes() | Where-Object { $_.Name -eq 'ErrorIds' -and $_.IsAbstract -and $_.IsSealed }
        $script:DefinedIds = @($errorIds.GetFields([Reflection.BindingFlags]'Public, Static') | Where-Object IsLiteral | ForEach-Object { $_.GetRawConstantValue() } | Sort-Object -Unique)
        # What the assemblies can raise: their string literals and constants are stored as UTF-16, at even or odd offsets.
        $script:AssemblyText = @((Join-Path $ModuleDirectory 'StingOps.dll'), (Join-Path $ModuleDirectory 'Dependencies/StingOps.Core.dll') |
                ForEach-Object { $bytes = [IO.File]::ReadAllBytes($_); [Text.Encoding]::Unicode.GetString($bytes); [Text.Encoding]::Unicode.GetString($bytes, 1, $bytes.Length - 1) }) -join "`n"
    }

    It 'reads its error tables' {
        $ErrorRows.Count | Should -BeGreaterThan 10
        $DefinedIds.Count | Should -BeGreaterThan 10
    }

    It 'documents every error id the module defines' {
        @($DefinedIds | Where-Object { $_ -cnotin $ErrorRows.'Error id' }) | Should -BeNullOrEmpty
    }

    It 'documents only error ids that are in the module' {
        @($ErrorRows.'Error id' | Where-Object { $_ -cnotin $DefinedIds -and -not $AssemblyText.Contains("$_") }) | Should -BeNullOrEmpty
    }

    It 'documents each error id once, with an ErrorCategory' {
        @($ErrorRows.'Error id' | Group-Object -CaseSensitive | Where-Object Count -gt 1 | ForEach-Object Name) | Should -BeNullOrEmpty
        $categories = [Enum]::GetNames([System.Management.Automation.ErrorCategory])
        @($ErrorRows | Where-Object { $_.Category -notin $categories } | ForEach-Object 'Error id') | Should -BeNullOrEmpty
    }
}

Describe 'docs/configuration.md' -Tag 'Unit', 'Docs' {
    BeforeAll {
        $sections = Get-DocSection 'configuration.md' 2
        $script:Keys = @(Get-DocTable ([string[]]$sections['Keys']) '| Key | Type | Default | Description |' | ForEach-Object Key)
        $exampleSection = $sections['Full example'] -join "`n"
        $script:Example = if ($exampleSection -match '(?s)```yaml\n(.*?)\n```') { $Matches[1] } else { '' }
    }

    It 'has a key table and a full example' {
        $Keys.Count | Should -BeGreaterThan 10
        $Example | Should -Match '^\s*(#.*\n)*restart_configuration:'
    }

    It 'uses every documented key in the full example' {
        @($Keys | Where-Object { $Example -notmatch ('(?m)(^|[\s{,])' + [regex]::Escape(($_ -split '\.')[-1]) + ':') }) | Should -BeNullOrEmpty
    }

    It 'has a full example the module loads without a warning or an error' {
        $services = [regex]::Matches($Example, '(?m)^    ([a-z][\w-]*):\s*$') | ForEach-Object { $_.Groups[1].Value }
        $services | Should -Not -BeNullOrEmpty
        $project = Join-Path $TestDrive 'config-example'
        New-Item -ItemType Directory -Path (Join-Path $project 'conf') -Force | Out-Null
        Set-Content -Path (Join-Path $project 'conf/config.yml') -Value $Example
        Set-Content -Path (Join-Path $project 'compose.yaml') -Value (@('name: docsexample', 'services:') + ($services | ForEach-Object { "  ${_}:", '    image: busybox' }))
        $plan = Get-StingRestartPlan -ProjectDirectory $project -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop
        @($warnings) | Should -BeNullOrEmpty
        ($plan | Where-Object Service -eq 'vault').Timeout | Should -Be ([TimeSpan]::FromSeconds(60))
    }
}
