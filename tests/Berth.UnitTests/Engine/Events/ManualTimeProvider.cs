namespace Berth.UnitTests.Engine.Events;

/// <summary>A clock the test sets. Timers still come from the system provider.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private long _ticks;

    public ManualTimeProvider(DateTimeOffset start)
    {
        _ticks = start.UtcTicks;
    }

    public static DateTimeOffset FromUnixNanoseconds(long nanos) =>
        DateTimeOffset.UnixEpoch.AddTicks(nanos / 100);

    public void SetUnixNanoseconds(long nanos) => Interlocked.Exchange(ref _ticks, FromUnixNanoseconds(nanos).UtcTicks);

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
}
