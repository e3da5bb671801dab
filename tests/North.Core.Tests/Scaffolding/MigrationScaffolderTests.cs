using North.Core.Errors;
using North.Core.Repository;
using North.Core.Scaffolding;
using North.Core.Settings;
using North.Core.Tests.Repository;
using North.Core.Versions;

namespace North.Core.Tests.Scaffolding;

public class MigrationScaffolderTests
{
    private static MigrationRepository Load(TempFolder temp) => MigrationRepository.Load(new NorthSettings { MigrationsRoot = temp.Path });

    [Theory]
    [InlineData("1.3", "1.4")]
    [InlineData("1.9", "1.10")]
    [InlineData("17.01", "17.02")]
    [InlineData("16.12", "16.13")]
    [InlineData("2", "3")]
    [InlineData("1.0.9", "1.0.10")]
    public void NextVersionAddsOneToTheLastComponentKeepingItsWidth(string version, string next) =>
        Assert.Equal(next, MigrationScaffolder.Next(MigrationVersion.Parse(version)).Text);

    [Fact]
    public void ACopiedVersionFileChangesTheVersionAsAWholeTokenOnly()
    {
        using var temp = new TempFolder();
        temp.Write("1.3/1.3-0-version-dml.sql", "INSERT INTO sql_version VALUES ('1.3'); -- not 11.3, not 1.30, not 1.3.1\n");
        var plan = MigrationScaffolder.Plan(Load(temp), new NewMigrationRequest("x", NewVersion: true));
        Assert.Equal(["1.4-0-version-dml.sql", "1.4-x-ddl.sql"], plan.Files.Select(f => Path.GetFileName(f.Path)));
        Assert.Equal("INSERT INTO sql_version VALUES ('1.4'); -- not 11.3, not 1.30, not 1.3.1\n", plan.Files[0].Content);
    }

    [Fact]
    public void NamesWithoutTheVersionPrefixWhenTheRepositoryUsesNone()
    {
        using var temp = new TempFolder();
        temp.Write("2.0/create-users-ddl.sql", "select 1;");
        var plan = MigrationScaffolder.Plan(Load(temp), new NewMigrationRequest("add-email"));
        Assert.Equal("add-email-ddl.sql", Path.GetFileName(plan.Migration.Path));
    }

    [Fact]
    public void WriteNeverReplacesAFileThatAppearedAfterThePlan()
    {
        using var temp = new TempFolder();
        temp.Write("1.0/1.0-a-ddl.sql", "select 1;");
        var plan = MigrationScaffolder.Plan(Load(temp), new NewMigrationRequest("b"));
        File.WriteAllText(plan.Migration.Path, "mine");
        var error = Assert.Throws<NorthException>(() => MigrationScaffolder.Write(plan));
        Assert.Equal(ErrorIds.MigrationExists, error.ErrorId);
        Assert.Equal("mine", File.ReadAllText(plan.Migration.Path));
    }
}
