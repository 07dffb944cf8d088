/// How the scheduler reacts to builds that fail and workers that vanish.
public struct RetryPolicy: Sendable, Hashable {
    /// A build whose worker was lost (disconnected, died, unreachable) is requeued at most this many times.
    public var lostRetries: Int
    /// Seconds before a requeued build may start again; doubles with each further loss of the same build.
    public var backoffSeconds: Double
    /// A build that fails is retried on another worker until it has failed on this many distinct workers.
    public var failuresPerBuild: Int
    /// A worker with this many failures or losses in a row (no success between) is parked.
    public var troublesBeforeParking: Int
    /// How long a worker that lost a build is left alone (doubled per further loss in a row, capped at `parkSeconds`).
    public var lostParkSeconds: Double
    /// How long a worker that keeps failing is left alone.
    public var parkSeconds: Double

    public init(lostRetries: Int = 3, backoffSeconds: Double = 2, failuresPerBuild: Int = 2,
                troublesBeforeParking: Int = 3, lostParkSeconds: Double = 10, parkSeconds: Double = 300) {
        self.lostRetries = lostRetries
        self.backoffSeconds = backoffSeconds
        self.failuresPerBuild = failuresPerBuild
        self.troublesBeforeParking = troublesBeforeParking
        self.lostParkSeconds = lostParkSeconds
        self.parkSeconds = parkSeconds
    }
}
