@{
    RootModule           = 'North.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '4c0460f0-148a-49bc-95f0-faaa28027ec7'
    Author               = 'North developers'
    CompanyName          = 'North'
    Copyright            = '(c) North developers. MIT License.'
    Description          = 'Runs hand-written PostgreSQL migrations owned by DBAs: discovers versioned SQL folders, plans, applies them atomically with history, and proves the live schema matches the snapshot. Reads django-north and septentrion repositories and databases as they are. Supports PostgreSQL 13 to 18.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    FormatsToProcess     = @('North.Format.ps1xml')
    TypesToProcess       = @('North.Types.ps1xml')
    CmdletsToExport      = @(
        'Clear-NorthDatabase'
        'Get-NorthHistory'
        'Get-NorthPlan'
        'Get-NorthStatus'
        'Get-NorthVersion'
        'Initialize-NorthDatabase'
        'Invoke-NorthMigration'
        'New-NorthMigration'
        'New-NorthTestDatabase'
        'Register-NorthMigration'
        'Remove-NorthTestDatabase'
        'Test-NorthRepository'
        'Test-NorthMigration'
        'Test-NorthSchema'
        'Unregister-NorthMigration'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('PostgreSQL', 'Postgres', 'migration', 'schema', 'database', 'DBA', 'septentrion', 'django-north', 'Linux', 'Windows', 'MacOS')
            ProjectUri   = 'https://github.com/north-migrations/north'
            LicenseUri   = 'https://github.com/north-migrations/north/blob/main/LICENSE'
            ReleaseNotes = 'First release: repository discovery and checks, the psql-compatible script engine, migrations with history, schema checks. Supports PostgreSQL 13 to 18; an older server is refused (NorthServerUnsupported).'
        }
    }
}
