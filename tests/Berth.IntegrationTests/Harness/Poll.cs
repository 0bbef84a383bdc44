namespace Berth.IntegrationTests.Harness;

/// <summary>
/// Polling with a deadline: the only way tests wait for the daemon. No fixed sleeps as
/// synchronisation; the short delay between probes only keeps the loop from spinning.
/// </summary>
public static class Poll
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Probes until it returns true; throws TimeoutException naming <paramref name="what"/> (and the last probe error) at the deadline.</summary>
    public static async Task UntilAsync(Func<Task<bool>> probe, TimeSpan timeout, string what, Func<string>? diagnostics = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await probe())
                {
                    return;
                }
                last = null;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                last = e;
            }
            if (DateTime.UtcNow >= deadline)
            {
                string extra = diagnostics is null ? "" : "\n" + diagnostics();
                throw new TimeoutException($"timed out after {timeout.TotalSeconds:F1}s waiting for {what}" + (last is null ? "" : $" (last error: {last.GetType().Name}: {last.Message})") + extra, last);
            }
            await Task.Delay(DefaultInterval);
        }
    }

    public static Task UntilAsync(Func<bool> probe, TimeSpan timeout, string what, Func<string>? diagnostics = null) =>
        UntilAsync(() => Task.FromResult(probe()), timeout, what, diagnostics);

    /// <summary>Probes until the value satisfies <paramref name="accept"/>; returns it.</summary>
    public static async Task<T> ForAsync<T>(Func<Task<T>> probe, Func<T, bool> accept, TimeSpan timeout, string what, Func<T?, string>? describe = null)
    {
        T? lastValue = default;
        await UntilAsync(
            async () =>
            {
                lastValue = await probe();
                return accept(lastValue);
            },
            timeout,
            what,
            describe is null ? null : () => "last value: " + describe(lastValue));
        return lastValue!;
    }
}
