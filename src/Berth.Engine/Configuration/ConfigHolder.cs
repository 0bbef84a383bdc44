namespace Berth.Engine.Configuration;

/// <summary>
/// Holds the current <see cref="DaemonConfig"/> snapshot. Readers take <see cref="Current"/> once per
/// operation; a reload replaces the whole snapshot atomically, so nobody sees half a reload.
/// </summary>
public sealed class ConfigHolder
{
    private DaemonConfig _current;

    public ConfigHolder(DaemonConfig initial) => _current = initial;

    public DaemonConfig Current => Volatile.Read(ref _current);

    /// <summary>Raised after a swap, with (old, new).</summary>
    public event Action<DaemonConfig, DaemonConfig>? Changed;

    public void Swap(DaemonConfig next)
    {
        var old = Interlocked.Exchange(ref _current, next);
        Changed?.Invoke(old, next);
    }
}
