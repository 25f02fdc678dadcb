using Microsoft.DurableTask.Entities;
using NSubstitute;

namespace Warden.Functions.Tests.Support;

/// <summary>
/// Dispatches operations to a real <see cref="TaskEntity{TState}"/> the way the Durable runtime does (by operation
/// name, input bound to the method's parameter), keeping the entity's state as the worker would: serialized JSON.
/// </summary>
public sealed class EntityHarness<TEntity>(string name, string key)
    where TEntity : ITaskEntity, new()
{
    private string? _state;

    public EntityInstanceId Id { get; } = new(name, key);

    public async Task<TResult?> CallAsync<TResult>(string operation, object? input = null) =>
        (TResult?)Wire.RoundTrip(await CallAsync(operation, input), typeof(TResult));

    public async Task<object?> CallAsync(string operation, object? input = null)
    {
        var context = Substitute.For<TaskEntityContext>();
        context.Id.Returns(Id);
        var state = Substitute.For<TaskEntityState>();
        state.HasState.Returns(_ => _state is not null);
        state.GetState(Arg.Any<Type>()).Returns(call => _state is null ? null : System.Text.Json.JsonSerializer.Deserialize(_state, call.ArgAt<Type>(0)));
        state.When(s => s.SetState(Arg.Any<object?>())).Do(call => _state = call.ArgAt<object?>(0) is { } value ? Wire.Json(value) : null);
        var op = Substitute.For<TaskEntityOperation>();
        op.Name.Returns(operation);
        op.Context.Returns(context);
        op.State.Returns(state);
        op.HasInput.Returns(input is not null);
        op.GetInput(Arg.Any<Type>()).Returns(call => Wire.RoundTrip(input, call.ArgAt<Type>(0)));
        return await new TEntity().RunAsync(op);
    }

    public T State<T>() => System.Text.Json.JsonSerializer.Deserialize<T>(_state ?? throw new InvalidOperationException("no state yet"))!;
}
