using North.TestServer;

// `serve`: provide a server, print its connection string on one line and its version on the next, keep it until standard
// input closes (or the process is told to stop), then remove it. build.ps1 drives this for the
// Pester suite, the xunit suite and the demo, so all three share one server per run.
if (args.Length != 1 || args[0] != "serve")
{
    Console.Error.WriteLine("usage: North.TestServer serve");
    return 2;
}

var stopping = new CancellationTokenSource();
// SIGINT and SIGTERM end the wait so the cluster is removed before the process exits.
using var onInt = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGINT, c => { c.Cancel = true; stopping.Cancel(); });
using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stopping.Cancel(); });

TestPostgres server;
try
{
    server = await TestPostgres.StartAsync(message => Console.Error.WriteLine(message), stopping.Token);
}
catch (TestServerUnavailableException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

await using (server)
{
    var version = await server.ServerVersionAsync(stopping.Token);
    Console.Error.WriteLine($"PostgreSQL for tests: {server.Origin}, server version {version.Split(' ')[0]}");
    Console.WriteLine($"{TestPostgres.ConnectionVariable}={server.ConnectionString}");
    Console.WriteLine($"NORTH_TEST_SERVER_VERSION={version}");
    Console.Out.Flush();
    var waitForInput = Task.Run(() => Console.In.ReadToEnd());
    await Task.WhenAny(waitForInput, Task.Delay(Timeout.Infinite, stopping.Token).ContinueWith(_ => { }));
}
return 0;
