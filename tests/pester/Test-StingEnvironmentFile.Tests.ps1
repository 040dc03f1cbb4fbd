# Test-StingEnvironmentFile: findings name files, lines and keys, and no value reaches any stream.
BeforeAll {
    Import-Module $env:STINGOPS_MODULE_PATH -Force
}

Describe 'Test-StingEnvironmentFile parameter contract' -Tag 'Unit', 'EnvironmentFile' {
    It 'has Path (string[], mandatory, position 0, FullName from the pipeline) and RequiredKey (string[])' {
        $cmd = Get-Command Test-StingEnvironmentFile
        $cmd.Parameters['Path'].ParameterType | Should -Be ([string[]])
        $p = $cmd.Parameters['Path'].Attributes | Where-Object { $_ -is [Parameter] }
        $p.Mandatory | Should -BeTrue
        $p.Position | Should -Be 0
        $p.ValueFromPipelineByPropertyName | Should -BeTrue
        $cmd.Parameters['Path'].Aliases | Should -Contain 'FullName'
        $cmd.Parameters['RequiredKey'].ParameterType | Should -Be ([string[]])
        $cmd.OutputType.Name | Should -Contain 'StingOps.EnvironmentFileFinding'
    }
}

Describe 'Test-StingEnvironmentFile' -Tag 'Unit', 'EnvironmentFile' {
    BeforeAll {
        $script:Dir = Join-Path ([System.IO.Path]::GetTempPath()) "stingops-envtest-$([guid]::NewGuid().ToString('N'))"
        New-Item -ItemType Directory -Path $Dir | Out-Null
        # Fake secrets, each distinctive so a leak of any part is found.
        $script:Secrets = @(
            'fake-pw-Q7x9Lk2m', 'fake-token-ZZ81aa', 'fake-unterminated-Hh3k', 'fake-bare line-Vv5n',
            'fake-badkey-Rr4t', 'fake-dup-Pp0o', 'fake-trailing-Mm1q', 'fake-ok-Ww6e'
        )
        $script:Good = Join-Path $Dir 'good.env'
        Set-Content -LiteralPath $Good -Value @(
            '# fine', 'DB_USER=sting', "DB_PASSWORD=$($Secrets[0])", "API_TOKEN=$($Secrets[1])", 'EMPTY_ONE=', "OK_KEY=$($Secrets[7])"
        )
        $script:Bad = Join-Path $Dir 'bad.env'
        Set-Content -LiteralPath $Bad -Value @(
            "DUP=$($Secrets[5])"
            "DUP=$($Secrets[5])x"
            "$($Secrets[3])"
            "BAD KEY=$($Secrets[4])"
            "QUOTED=`"$($Secrets[6])`" trailing"
            "OPEN=`"$($Secrets[2])"
        )
    }

    AfterAll { Remove-Item -LiteralPath $Dir -Recurse -Force -ErrorAction SilentlyContinue }

    It 'emits nothing for a valid file with its required keys present' {
        @(Test-StingEnvironmentFile -Path $Good -RequiredKey DB_USER, DB_PASSWORD) | Should -BeNullOrEmpty
    }

    It 'reports missing and empty required keys by name' {
        $f = Test-StingEnvironmentFile -Path $Good -RequiredKey NOT_THERE, EMPTY_ONE
        $f[0].PSObject.TypeNames[0] | Should -Be 'StingOps.EnvironmentFileFinding'
        ($f | Where-Object Code -eq 'MissingRequiredKey').Key | Should -Be 'NOT_THERE'
        ($f | Where-Object Code -eq 'EmptyRequiredKey').Key | Should -Be 'EMPTY_ONE'
        ($f | Where-Object Code -eq 'EmptyRequiredKey').Line | Should -Be 5
    }

    It 'reports a missing file as FileNotFound with line 0' {
        $f = Test-StingEnvironmentFile -Path (Join-Path $Dir 'missing.env')
        $f.Code | Should -Be 'FileNotFound'
        $f.Line | Should -Be 0
        $f.Problem | Should -Match '^FileNotFound: '
    }

    It 'reports each syntax problem with its line' {
        $f = Test-StingEnvironmentFile -Path $Bad
        $f.Code | Should -Contain 'DuplicateKey'
        $f.Code | Should -Contain 'NotAnAssignment'
        $f.Code | Should -Contain 'InvalidKey'
        $f.Code | Should -Contain 'TrailingContent'
        $f.Code | Should -Contain 'UnterminatedQuote'
        ($f | Where-Object Code -eq 'NotAnAssignment').Line | Should -Be 3
        ($f | Where-Object Code -eq 'NotAnAssignment').Key | Should -BeNullOrEmpty
    }

    It 'takes files from the pipeline (Get-ChildItem) and checks them together' {
        $f = Get-ChildItem -LiteralPath $Dir -Filter '*.env' | Test-StingEnvironmentFile -RequiredKey DB_PASSWORD
        $f | Where-Object Code -eq 'MissingRequiredKey' | Should -BeNullOrEmpty
        ($f.Path | Sort-Object -Unique) | Should -Be @($Bad)
    }

    It 'expands wildcards in -Path' {
        (Test-StingEnvironmentFile -Path (Join-Path $Dir '*.env') | Select-Object -ExpandProperty Path -Unique) | Should -Be @($Bad)
    }

    It 'never shows a value on any stream, in any property, verbose and debug included' {
        $all = @(
            Test-StingEnvironmentFile -Path $Good, $Bad, (Join-Path $Dir 'missing.env') -RequiredKey DB_PASSWORD, EMPTY_ONE, NOT_THERE -Verbose -Debug *>&1
        )
        $all.Count | Should -BeGreaterThan 5
        $text = ($all | ForEach-Object {
            $_ | Out-String -Width 4096
            $_ | Format-List * -Force | Out-String -Width 4096
            $_ | ConvertTo-Json -Depth 4 -WarningAction SilentlyContinue
            "$_"
        }) -join "`n"
        $text | Should -Match 'UnterminatedQuote'
        foreach ($s in $Secrets) { $text | Should -Not -Match ([regex]::Escape($s)) }
        # Fragments too: the part after 'fake-' of each secret.
        foreach ($s in $Secrets) { $text | Should -Not -Match ([regex]::Escape($s.Substring(5))) }
    }
}
