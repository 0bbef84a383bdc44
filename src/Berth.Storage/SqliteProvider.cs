namespace Berth.Storage;

/// <summary>
/// Binds Microsoft.Data.Sqlite to the bundled e_sqlite3 library explicitly. The library's own
/// fallback finds the bundle through Assembly.Load and reflection, which NativeAOT trims away;
/// the published berthd would then fail on its first query.
/// </summary>
internal static class SqliteProvider
{
    private static int _initialized;

    public static void EnsureInitialized()
    {
        if (Interlocked.Exchange(ref _initialized, 1) == 0)
        {
            SQLitePCL.Batteries_V2.Init();
        }
    }
}
