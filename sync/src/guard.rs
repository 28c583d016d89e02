//! What every lock guard ([`Mutex`](crate::Mutex)'s and [`RwLock`](crate::RwLock)'s, owned
//! and borrowed, mapped or not) shares, written once: formatting as the guarded value
//! ([`delegate_fmt!`], as tokio's guards do) and the narrowing step of their `map`/`try_map`
//! functions ([`narrow`], [`narrow_mut`], [`infallible`]). Each guard type still takes itself
//! apart in its own file (only it knows which permit it holds). Imports nothing from the
//! crate.
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};

/// Runs a `try_map` closure on the guarded value: the pointer to the part it chose, with the
/// guard (still holding its permit), or the guard back if the closure declined.
///
/// The pointer is valid for as long as the permit the guard holds is not released: the
/// caller moves that permit into the mapped guard it builds from the pointer.
pub(crate) fn narrow_mut<G, U: ?Sized>(
    mut guard: G,
    f: impl FnOnce(&mut G::Target) -> Option<&mut U>,
) -> Result<(G, *mut U), G>
where
    G: DerefMut,
{
    let part: *mut U = match f(&mut *guard) {
        Some(part) => part,
        None => return Err(guard),
    };
    Ok((guard, part))
}

/// Moves one field (the lock handle) out of a guard *without* running the guard's `Drop`:
/// the permit the guard held passes to the caller, who must hand it on or release it. The
/// guard's other fields are forgotten.
///
/// # Safety
///
/// `field` must return a reference to a field *of the guard it is given* (not to anything
/// else): that field is then read out exactly once and the guard is never used or dropped
/// again, so nothing is dropped twice.
pub(crate) unsafe fn disarm<G, L>(guard: G, field: impl FnOnce(&G) -> &L) -> L {
    let guard = ManuallyDrop::new(guard);
    // SAFETY: by the contract the reference points into `guard`, which is never used or
    // dropped again after this read (it is `ManuallyDrop` and goes out of scope here): the
    // field is moved out exactly once.
    unsafe { std::ptr::read(field(&guard)) }
}

/// [`narrow_mut`] for shared (read) access.
pub(crate) fn narrow<G, U: ?Sized>(
    guard: G,
    f: impl FnOnce(&G::Target) -> Option<&U>,
) -> Result<(G, *const U), G>
where
    G: Deref,
{
    let part: *const U = match f(&*guard) {
        Some(part) => part,
        None => return Err(guard),
    };
    Ok((guard, part))
}

/// The result of a `try_map` whose closure always returned `Some` (how every `map` is
/// written: `infallible(Self::try_map(this, move |v| Some(f(v))))`).
pub(crate) fn infallible<T, G>(mapped: Result<T, G>) -> T {
    match mapped {
        Ok(mapped) => mapped,
        Err(_) => unreachable!("the closure always returns Some"),
    }
}

/// `delegate_fmt!(<T, U> Guard<T, U> => U, ...)` implements `Debug` and `Display` for each
/// `Guard` by formatting `**self`, for every (possibly unsized) generic parameter, whenever
/// the target type `U` implements the trait.
macro_rules! delegate_fmt {
    ($(<$($gen:ident),*> $guard:ty => $target:ident),* $(,)?) => {$(
        impl<$($gen: ?Sized),*> ::std::fmt::Debug for $guard
        where
            $target: ::std::fmt::Debug,
        {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Debug::fmt(&**self, f)
            }
        }

        impl<$($gen: ?Sized),*> ::std::fmt::Display for $guard
        where
            $target: ::std::fmt::Display,
        {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&**self, f)
            }
        }
    )*};
}
pub(crate) use delegate_fmt;

/// The guards' unsafe hand-offs (`disarm`, the mapped pointers) run under Miri in CI through
/// these tests: each moves a permit from guard to mapped guard and checks it is released
/// exactly once.
#[cfg(all(test, not(loom)))]
mod tests {
    use crate::{
        Mutex, MutexGuard, OwnedMappedMutexGuard, OwnedMutexGuard, OwnedRwLockWriteGuard, RwLock,
    };
    use std::sync::Arc;

    #[test]
    fn owned_mutex_guard_maps_and_unlocks_once() {
        let m = Arc::new(Mutex::new((String::from("a"), vec![1, 2])));
        let g = m.clone().try_lock_owned().unwrap();
        let g = OwnedMutexGuard::try_map(g, |v| v.1.get_mut(9)).unwrap_err();
        let mut second = OwnedMutexGuard::map(g, |v| &mut v.1);
        second.push(3);
        let mut last = OwnedMappedMutexGuard::try_map(second, |v| v.last_mut()).unwrap();
        *last = 4;
        assert!(m.try_lock().is_err(), "the mapped guard keeps the lock");
        drop(last);
        let g = m.try_lock().unwrap();
        assert_eq!(g.1, [1, 2, 4]);
        let name = MutexGuard::map(g, |v| &mut v.0);
        assert_eq!(&*name, "a");
        drop(name);
        assert!(m.try_lock().is_ok(), "unlocked exactly once");
    }

    #[test]
    fn owned_rwlock_write_guard_maps_downgrades_and_releases_once() {
        let l = Arc::new(RwLock::new((1u8, String::from("x"))));
        let w = l.clone().try_write_owned().unwrap();
        let w = OwnedRwLockWriteGuard::try_map(w, |_| None::<&mut u8>).unwrap_err();
        let r = OwnedRwLockWriteGuard::downgrade_map(w, |v| &v.1);
        assert_eq!(&*r, "x");
        assert!(l.try_read().is_ok(), "readers get in after the downgrade");
        assert!(l.try_write().is_err());
        drop(r);
        let mut w = OwnedRwLockWriteGuard::into_mapped(l.clone().try_write_owned().unwrap());
        w.0 = 2;
        drop(w);
        assert_eq!(l.try_write().unwrap().0, 2, "every permit came back");
    }

    #[test]
    fn once_cells_own_their_value() {
        let mut cell = crate::OnceCell::new();
        cell.set(String::from("v")).unwrap();
        assert_eq!(cell.take().as_deref(), Some("v"));
        cell.set(String::from("w")).unwrap();
        let set = crate::SetOnce::new();
        set.set(vec![1]).unwrap();
        assert!(set.set(vec![2]).is_err());
        assert_eq!(set.into_inner(), Some(vec![1]));
        drop(cell); // drops "w" once
    }
}
