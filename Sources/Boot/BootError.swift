import FarmModel

/// A problem writing the network-boot files, naming the file or class and how to fix it.
public typealias BootError = Problem
