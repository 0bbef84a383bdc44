using Microsoft.AspNetCore.Routing;

namespace Berth.Api;

/// <summary>
/// One router per resource. Routers get their backends through their constructor in the
/// composition root and only decode, validate, call the backend and encode.
/// </summary>
public interface IRouter
{
    void Map(IEndpointRouteBuilder routes);
}
