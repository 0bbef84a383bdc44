using Berth.Engine.Configuration;
using Berth.Engine.Errors;

namespace Berth.Networking.Ipam;

/// <summary>
/// Picks subnets for networks created without one: the default address pools split into
/// subnets of their size, first fit, skipping anything that overlaps a network the daemon
/// already has or a range the host routes elsewhere (libnetwork's ipamutils + netutils checks).
/// Pure: the caller passes what is in use.
/// </summary>
public static class SubnetAllocator
{
    /// <summary>Upper bound on candidates looked at, so a /8 split into /30s cannot stall a request.</summary>
    private const int MaxCandidates = 1 << 20;

    /// <summary>
    /// The first subnet of the pools overlapping nothing in <paramref name="used"/>.
    /// Throws Unavailable with libnetwork's text when the pools are exhausted.
    /// </summary>
    public static Ipv4Prefix Allocate(IReadOnlyList<AddressPool> pools, IReadOnlyCollection<Ipv4Prefix> used)
    {
        int looked = 0;
        foreach (var pool in pools)
        {
            if (!Ipv4Prefix.TryParse(pool.Base, out var basePrefix) || pool.Size < basePrefix.Bits || pool.Size > 32)
            {
                continue; // the config loader rejects these; IPv6 pools are not handled yet
            }
            ulong step = 1UL << (32 - pool.Size);
            for (ulong start = basePrefix.First; start <= basePrefix.Last && looked < MaxCandidates; start += step, looked++)
            {
                var candidate = new Ipv4Prefix((uint)start, pool.Size);
                Ipv4Prefix? clash = null;
                foreach (var u in used)
                {
                    if (u.Overlaps(candidate))
                    {
                        clash = u;
                        break;
                    }
                }
                if (clash is null)
                {
                    return candidate;
                }
                // Jump past the clash when it is bigger than one step (e.g. a /16 route).
                if (clash.Value.Last > candidate.Last)
                {
                    ulong next = ((ulong)clash.Value.Last + 1 - basePrefix.First + step - 1) / step * step + basePrefix.First;
                    start = next - step;
                }
            }
        }
        throw DaemonException.Forbidden(Messages.NoAvailablePool);
    }
}
