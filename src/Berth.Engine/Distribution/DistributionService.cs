using Berth.Engine.Errors;
using Berth.Engine.Images;
using Berth.Engine.Images.References;
using Microsoft.Extensions.Logging;

namespace Berth.Engine.Distribution;

/// <summary>
/// Pull, push, login and remote inspection against registries (moby daemon/internal/distribution
/// and registry): endpoint fallback (mirrors, HTTPS then HTTP for insecure registries), dockerd's
/// progress lines and error texts. Layers stream from the registry straight into the layer store,
/// verified on the way; nothing is recorded unless everything verified.
/// </summary>
public sealed partial class DistributionService
{
    private readonly RegistryHosts _hosts;
    private readonly IDistributionImages _images;
    private readonly IContentStore _content;
    private readonly ILayerStore _layers;
    private readonly ILayerStaging _staging;
    private readonly BlobSources _blobs;
    private readonly ILogger _log;

    public DistributionService(RegistryHosts hosts, IDistributionImages images, IContentStore content, ILayerStore layers, BlobSources blobs, ILogger log)
    {
        _hosts = hosts;
        _images = images;
        _content = content;
        _layers = layers;
        _staging = layers as ILayerStaging ?? throw new ArgumentException("the layer store must support staged application", nameof(layers));
        _blobs = blobs;
        _log = log;
    }

    public RegistryHosts Hosts => _hosts;

    private string CertsDir => _hosts.Options.CertsDir;

    /// <summary>
    /// moby pullEndpoints/Push loop: try each endpoint; fall back to the next on transport
    /// failures, unexpected HTTP answers, and any registry error from a mirror. Plain HTTP is not
    /// tried for a host that answered HTTP over TLS.
    /// </summary>
    private async Task<T> OnEndpointsAsync<T>(IReadOnlyList<RegistryEndpoint> endpoints, string name, Func<RegistryEndpoint, Task<T>> attempt, CancellationToken cancellationToken)
    {
        var confirmedTls = new HashSet<string>(StringComparer.Ordinal);
        Exception? last = null;
        foreach (var endpoint in endpoints)
        {
            if (!endpoint.IsTls && confirmedTls.Contains(endpoint.Host))
            {
                continue;
            }
            try
            {
                return await attempt(endpoint);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && CanFallBack(e, endpoint.Mirror, out bool transportOk))
            {
                if (transportOk && endpoint.IsTls)
                {
                    confirmedTls.Add(endpoint.Host);
                }
                _log.LogEndpointFallback(endpoint.BaseUri.ToString(), e.Message);
                last = e;
            }
        }
        throw last ?? DaemonException.System(Messages.NoEndpoints(name));
    }

    private static bool CanFallBack(Exception e, bool mirror, out bool transportOk)
    {
        transportOk = e is not RegistryTransportException;
        return e switch
        {
            RegistryTransportException t => !t.Message.EndsWith(": no basic auth credentials", StringComparison.Ordinal),
            RegistryHttpException => true,
            RegistryErrorException => mirror,
            _ => false,
        };
    }

    /// <summary>moby translatePullError: denied/unknown manifest/unknown name are NotFound with context; the rest as is.</summary>
    private static Exception TranslatePullError(Exception e, ImageReference reference)
    {
        if (e is RegistryErrorException r)
        {
            return r.Code switch
            {
                "DENIED" => new DaemonException(ErrorKind.NotFound, Messages.PullAccessDenied(reference.FamiliarName, r.Message), r),
                "MANIFEST_UNKNOWN" => new DaemonException(ErrorKind.NotFound, Messages.ManifestNotFound(reference.FamiliarString, r.Message), r),
                "NAME_UNKNOWN" => new DaemonException(ErrorKind.NotFound, Messages.RepositoryNotFound(reference.FamiliarName, r.Message), r),
                _ => r,
            };
        }
        return e;
    }

    /// <summary>The platform a pull asks for ("os[/arch[/variant]]"), or the host's.</summary>
    internal static (string Os, string Architecture, string? Variant) PlatformOf(string? platform)
    {
        if (string.IsNullOrWhiteSpace(platform))
        {
            return ImageService.ParsePlatform(null);
        }
        return ImageService.ParsePlatform(platform);
    }

    internal static string FormatPlatform((string Os, string Architecture, string? Variant) p) =>
        p.Variant is null ? $"{p.Os}/{p.Architecture}" : $"{p.Os}/{p.Architecture}/{p.Variant}";

    private static string ShortId(Digest digest) => digest.Hex[..12];
}
